package io.prestoorchestrator.testing;

/** What the integration tests need from scripts/setup.sh's env.sh. */
public final class TestingEnvironment
{
    private TestingEnvironment() {}

    /** Fails, naming the first missing variable and how to get it, unless every one is set. */
    public static void require(String... variables)
    {
        for (String variable : variables) {
            if (System.getenv(variable) == null) {
                throw new IllegalStateException(variable + " is not set: run scripts/setup.sh and source ~/.cache/presto-orchestrator/env.sh (scripts/test.sh does both)");
            }
        }
    }
}
