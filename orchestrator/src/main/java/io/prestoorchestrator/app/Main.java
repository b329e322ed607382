package io.prestoorchestrator.app;

public final class Main
{
    private Main() {}

    public static void main(String[] args)
    {
        throw new UnsupportedOperationException("not built yet");
    }
}
