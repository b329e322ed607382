package io.prestoorchestrator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import static java.nio.charset.StandardCharsets.UTF_8;

/** Answers captured from a real Trino 476 coordinator, under {@code src/test/resources/trino476/}. */
public final class TrinoFixtures
{
    private TrinoFixtures() {}

    public static String text(String name)
    {
        try (InputStream in = TrinoFixtures.class.getResourceAsStream("/trino476/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource trino476/" + name);
            }
            return new String(in.readAllBytes(), UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
