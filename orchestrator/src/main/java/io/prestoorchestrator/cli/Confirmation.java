package io.prestoorchestrator.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** Asks before a change that cannot be undone, unless {@code --yes}; refuses when there is no one to ask. */
final class Confirmation
{
    private Confirmation() {}

    /**
     * @param action what would be done, as a verb phrase: {@code delete cluster adhoc}
     * @param consequence what it means, one sentence
     */
    static void require(Terminal terminal, PrintWriter out, boolean yes, String action, String consequence)
    {
        if (yes) {
            return;
        }
        requireAnswerable(terminal, false, action);
        String question = Character.toUpperCase(action.charAt(0)) + action.substring(1) + "? " + consequence + " [y/N] ";
        String answer = terminal.ask(out, question).orElse("").strip().toLowerCase(Locale.ROOT);
        if (!answer.equals("y") && !answer.equals("yes")) {
            throw CliException.failed("not confirmed: did not " + action);
        }
    }

    /** Refuses at once, before any call, when confirmation is needed and nobody can give it: a script that forgot --yes learns it whatever the target. */
    static void requireAnswerable(Terminal terminal, boolean yes, String action)
    {
        if (!yes && !terminal.interactive()) {
            throw CliException.badInput("refusing to " + action + " without confirmation: stdin is not a terminal; add --yes to " + action);
        }
    }
}
