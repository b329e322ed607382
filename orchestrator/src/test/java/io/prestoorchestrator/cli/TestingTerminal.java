package io.prestoorchestrator.cli;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/** A terminal (or a pipe) whose answers and standard input are given up front; it records each question asked. */
final class TestingTerminal
        implements Terminal
{
    private final boolean interactive;
    private final Deque<String> answers;
    private final String stdin;
    private final List<String> questions = new ArrayList<>();

    private TestingTerminal(boolean interactive, List<String> answers, String stdin)
    {
        this.interactive = interactive;
        this.answers = new ArrayDeque<>(answers);
        this.stdin = stdin;
    }

    /** Stdin is a pipe (a script, CI) holding {@code stdin}: nobody can be asked. */
    static TestingTerminal pipe(String stdin)
    {
        return new TestingTerminal(false, List.of(), stdin);
    }

    /** A person at a terminal who gives these answers, in order. */
    static TestingTerminal answering(String... answers)
    {
        return new TestingTerminal(true, List.of(answers), "");
    }

    @Override
    public boolean interactive()
    {
        return interactive;
    }

    @Override
    public synchronized Optional<String> ask(PrintWriter out, String prompt)
    {
        if (!interactive) {
            throw new AssertionError("asked '" + prompt + "' on a pipe");
        }
        questions.add(prompt);
        out.print(prompt);
        out.flush();
        return Optional.ofNullable(answers.poll());
    }

    @Override
    public String readStdin()
    {
        return stdin;
    }

    synchronized List<String> questions()
    {
        return List.copyOf(questions);
    }
}
