package io.prestoorchestrator.config;

/** The version of this build, from the jar's manifest, or {@code dev} when run from classes: what the service, the CLI and rendered jobs report. */
public final class Version
{
    private Version() {}

    public static String current()
    {
        String version = Version.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
