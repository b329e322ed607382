package io.prestoorchestrator.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * What a command reads from the person running it: standard input ({@code --file -}) and, when
 * stdin and stdout are a terminal, the answer to a question. Tests give their own.
 */
interface Terminal
{
    /** Whether a person can be asked: stdin and stdout are a terminal. */
    boolean interactive();

    /** Prints {@code prompt} and reads one line; empty at the end of input. */
    Optional<String> ask(PrintWriter out, String prompt);

    /** The whole of standard input. */
    String readStdin()
            throws IOException;

    /** The process's own: {@link System#console()} is there only when stdin and stdout are a terminal. */
    static Terminal system()
    {
        return new Terminal()
        {
            @Override
            public boolean interactive()
            {
                return System.console() != null;
            }

            @Override
            public Optional<String> ask(PrintWriter out, String prompt)
            {
                out.print(prompt);
                out.flush();
                try {
                    return Optional.ofNullable(new BufferedReader(new InputStreamReader(System.in, UTF_8)).readLine());
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String readStdin()
                    throws IOException
            {
                return new String(System.in.readAllBytes(), UTF_8);
            }
        };
    }
}
