package io.prestoorchestrator.nomad;

import io.prestoorchestrator.error.DependencyException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;

class TestInMemoryNomadJobs
        extends NomadJobsContract
{
    private InMemoryNomadJobs nomad;

    @BeforeEach
    void setUp()
    {
        nomad = new InMemoryNomadJobs();
        // the contract's failing job runs a shell that exits 3
        nomad.failTasksWhere((group, task) -> task.path("Config").path("args").toString().contains("exit 3"));
    }

    @Override
    protected NomadJobs nomad()
    {
        return nomad;
    }

    @Test
    void testDownNamesNomad()
    {
        nomad.setAvailable(false);
        assertThat(failure(nomad.job("x")))
                .isInstanceOfSatisfying(DependencyException.class, e -> {
                    assertThat(e.dependency()).isEqualTo("nomad");
                    assertThat(e.unavailable()).isTrue();
                });
    }
}
