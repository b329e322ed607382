package io.prestoorchestrator.autoscaling;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class TestFanOut
{
    @Test
    public void runsAtMostTheLimitAtOnceAndEveryItemOnce()
    {
        List<Integer> items = IntStream.range(0, 10).boxed().toList();
        List<CompletableFuture<Void>> started = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        CompletableFuture<Void> all = FanOut.each(items, 3, item -> {
            order.add(item);
            CompletableFuture<Void> step = new CompletableFuture<>();
            started.add(step);
            return step;
        });

        assertThat(order).containsExactly(0, 1, 2);
        started.get(1).complete(null);
        assertThat(order).containsExactly(0, 1, 2, 3);
        // a failed step ends like any other
        started.get(0).completeExceptionally(new IllegalStateException("coordinator did not answer"));
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
        for (int i = 2; i < 10; i++) {
            assertThat(all).isNotDone();
            started.get(i).complete(null);
        }
        assertThat(order).containsExactlyElementsOf(items);
        assertThat(all).isCompleted();
    }

    @Test
    public void aStepThatThrowsDoesNotStopTheOthers()
    {
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Void> all = FanOut.each(List.of(1, 2, 3, 4), 2, item -> {
            ran.incrementAndGet();
            if (item == 2) {
                throw new IllegalStateException("bad item");
            }
            return CompletableFuture.<Void>completedFuture(null);
        });

        assertThat(all).isCompleted();
        assertThat(ran).hasValue(4);
    }

    @Test
    public void noItemsIsDoneAtOnce()
    {
        assertThat(FanOut.each(List.<Integer>of(), 8, item -> (CompletionStage<Void>) new CompletableFuture<Void>())).isCompleted();
    }

    @Test
    public void rejectsALimitBelowOne()
    {
        assertThatThrownBy(() -> FanOut.each(List.of(1), 0, item -> CompletableFuture.<Void>completedFuture(null))).isInstanceOf(IllegalArgumentException.class);
    }
}
