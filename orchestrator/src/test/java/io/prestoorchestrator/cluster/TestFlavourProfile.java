package io.prestoorchestrator.cluster;

import io.prestoorchestrator.drain.WorkerState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One row per flavour: what each engine was seen to need (Trino 476, PrestoDB 0.287; design notes). */
class TestFlavourProfile
{
    static Stream<Arguments> flavours()
    {
        return Stream.of(
                Arguments.of(Flavour.TRINO, "X-Trino-User", List.of(WorkerState.DRAINING, WorkerState.SHUTTING_DOWN), true, false,
                        true, false, true, "X-Forwarded-Host", false, true, FlavourProfile.Readiness.OPENMETRICS_ACTIVE_NODES, FlavourProfile.SignalSource.OPENMETRICS,
                        "io.trino", "trino_home", "java_home", true),
                Arguments.of(Flavour.PRESTODB, "X-Presto-User", List.of(WorkerState.SHUTTING_DOWN), false, true,
                        false, true, false, "Host", true, false, FlavourProfile.Readiness.CLUSTER_STATS, FlavourProfile.SignalSource.CLUSTER_STATS,
                        "com.facebook.presto", "prestodb_home", "prestodb_java_home", false));
    }

    @ParameterizedTest
    @MethodSource("flavours")
    void profileOfEachFlavour(Flavour flavour, String userHeader, List<WorkerState> workerDrain, boolean drainsFirst, boolean coordinatorShutdown,
            boolean liveCatalogs, boolean discoveryServer, boolean processForwarded, String pinHeader, boolean totalMemoryPerNode, boolean stateAccessControl,
            FlavourProfile.Readiness readiness, FlavourProfile.SignalSource signal, String logger, String homeVariable, String javaHomeVariable, boolean launcherJvmDir)
    {
        FlavourProfile profile = flavour.profile();
        assertThat(profile.flavour()).isEqualTo(flavour);
        assertThat(profile.userHeader()).isEqualTo(userHeader);
        // each name is a state the drain code knows
        assertThat(profile.workerDrain().stream().map(WorkerState::valueOf).toList()).isEqualTo(workerDrain);
        assertThat(profile.drainsBeforeShutdown()).isEqualTo(drainsFirst);
        assertThat(profile.coordinatorShutdown()).isEqualTo(coordinatorShutdown);
        assertThat(profile.liveCatalogs()).isEqualTo(liveCatalogs);
        assertThat(profile.discoveryServer()).isEqualTo(discoveryServer);
        assertThat(profile.processForwarded()).isEqualTo(processForwarded);
        assertThat(profile.pinHeader()).isEqualTo(pinHeader);
        assertThat(profile.totalMemoryPerNode()).isEqualTo(totalMemoryPerNode);
        assertThat(profile.stateAccessControl()).isEqualTo(stateAccessControl);
        assertThat(profile.readiness()).isEqualTo(readiness);
        assertThat(profile.signal()).isEqualTo(signal);
        assertThat(profile.logger()).isEqualTo(logger);
        assertThat(profile.homeVariable()).isEqualTo(homeVariable);
        assertThat(profile.javaHomeVariable()).isEqualTo(javaHomeVariable);
        assertThat(profile.launcherJvmDir()).isEqualTo(launcherJvmDir);
        assertThat(profile.templateModel())
                .containsEntry("workerDrain", String.join(" ", workerDrain.stream().map(WorkerState::name).toList()))
                .containsEntry("userHeader", userHeader)
                .containsEntry("liveCatalogs", liveCatalogs)
                .containsEntry("pinHeader", pinHeader)
                .containsEntry("readiness", readiness.templateName());
    }

    @Test
    void everyFlavourHasItsOwnProfile()
    {
        assertThat(Arrays.stream(Flavour.values()).map(Flavour::profile).map(FlavourProfile::flavour)).containsExactly(Flavour.values());
        assertThat(FlavourProfile.allUserHeaders()).containsExactly("X-Trino-User", "X-Presto-User");
    }

    @Test
    void aDrainEndsWithShuttingDown()
    {
        FlavourProfile trino = FlavourProfile.TRINO;
        assertThatThrownBy(() -> new FlavourProfile(Flavour.TRINO, "X-Trino-User", List.of(FlavourProfile.DRAINING), false, true, false, true, "X-Forwarded-Host", false, true,
                trino.readiness(), trino.signal(), "io.trino", "trino_home", "java_home", true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ends with SHUTTING_DOWN");
    }
}
