package io.prestoorchestrator.cli;

import io.prestoorchestrator.error.FieldError;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Runs a command body and turns its failures into {@code error: ...} lines on stderr and an exit code. */
final class Console
{
    private Console() {}

    static int run(CommandSpec spec, Callable<Integer> body)
    {
        PrintWriter err = spec.commandLine().getErr();
        try {
            return body.call();
        }
        catch (CliException e) {
            print(err, e);
            return e.exitCode();
        }
        catch (ParameterException e) {
            // picocli reports it as a usage error (exit 2)
            throw e;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            err.flush();
            return CliException.FAILED;
        }
        catch (Exception e) {
            err.println("error: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
            err.flush();
            return CliException.FAILED;
        }
        finally {
            spec.commandLine().getOut().flush();
        }
    }

    static void print(PrintWriter err, CliException e)
    {
        err.println("error: " + e.getMessage());
        for (FieldError error : e.fieldErrors()) {
            err.println("  " + error.field() + ": " + error.message());
        }
        for (String hint : e.hints()) {
            err.println("hint: " + hint);
        }
        err.flush();
    }
}
