package io.prestoorchestrator.cli;

import io.prestoorchestrator.config.ConfigLoader;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;

/** Where the orchestrator API is and which token to use: the options every command that calls it shares. */
public final class ApiOptions
{
    // the service's configuration loader knows these are the client's, not configuration keys
    static final String URL_ENV = ConfigLoader.CLIENT_URL_ENV;
    static final String TOKEN_ENV = ConfigLoader.CLIENT_TOKEN_ENV;
    static final String DEFAULT_URL = "http://127.0.0.1:8070";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--url", paramLabel = "URL", description = "Orchestrator API (default: $" + URL_ENV + ", else " + DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token (default: $" + TOKEN_ENV + "). Other users of this machine can see it in the process list: prefer --token-file or the variable.")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the API token.")
    Path tokenFile;

    OrchestratorClient client()
    {
        return new OrchestratorClient(baseUri(System.getenv()), token(System.getenv()));
    }

    URI baseUri(Map<String, String> environment)
    {
        String text = url != null ? url : Optional.ofNullable(environment.get(URL_ENV)).filter(value -> !value.isBlank()).orElse(DEFAULT_URL);
        String source = url != null ? "--url" : environment.containsKey(URL_ENV) ? "$" + URL_ENV : "the default URL";
        try {
            URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                throw usage(source + " '" + text + "' is not an http(s) URL: use e.g. " + DEFAULT_URL);
            }
            return uri;
        }
        catch (URISyntaxException e) {
            throw usage(source + " '" + text + "' is not a URL: " + e.getReason() + "; use e.g. " + DEFAULT_URL);
        }
    }

    Optional<String> token(Map<String, String> environment)
    {
        if (token != null && tokenFile != null) {
            throw usage("give the token once: --token or --token-file, not both");
        }
        if (token != null) {
            return Optional.of(requireToken(token.strip(), "--token"));
        }
        if (tokenFile != null) {
            try {
                return Optional.of(requireToken(Files.readString(tokenFile, UTF_8).strip(), "--token-file " + tokenFile));
            }
            catch (NoSuchFileException e) {
                throw usage("--token-file " + tokenFile + " does not exist");
            }
            catch (IOException e) {
                throw usage("cannot read --token-file " + tokenFile + ": " + e.getMessage());
            }
        }
        return Optional.ofNullable(environment.get(TOKEN_ENV)).map(String::strip).filter(value -> !value.isEmpty());
    }

    private String requireToken(String value, String source)
    {
        if (value.isEmpty()) {
            throw usage(source + " is empty: give the API token");
        }
        return value;
    }

    private ParameterException usage(String message)
    {
        return new ParameterException(command.commandLine(), message);
    }
}
