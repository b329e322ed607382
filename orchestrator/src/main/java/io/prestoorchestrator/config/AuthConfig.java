package io.prestoorchestrator.config;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Bearer tokens for the REST API. Tokens come from this file and, when {@code ssm-path} is set,
 * from SSM parameters named {@code <ssm-path>/<role>/<name>} (SecureString value = the token).
 *
 * @param tokens tokens configured in the file
 * @param ssmPath SSM path holding further tokens; empty for none
 */
public record AuthConfig(List<ApiToken> tokens, Optional<String> ssmPath)
{
    public static final AuthConfig DEFAULTS = new AuthConfig(List.of(), Optional.empty());

    public AuthConfig
    {
        tokens = List.copyOf(requireNonNull(tokens, "tokens is null"));
        requireNonNull(ssmPath, "ssmPath is null");
        ssmPath.ifPresent(path -> {
            if (!path.startsWith("/") || path.endsWith("/")) {
                throw new ConfigException("auth.ssm-path", "must start with '/' and not end with '/', got '" + path + "'");
            }
        });
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (!names.add(tokens.get(i).name())) {
                throw new ConfigException("auth.tokens[" + i + "].name", "duplicate token name '" + tokens.get(i).name() + "'");
            }
        }
    }

    /**
     * One API token.
     *
     * @param name who holds it (shown in events as "who asked"; never the token itself)
     * @param role what it may do
     * @param token the bearer token value
     */
    public record ApiToken(String name, Role role, Secret token)
    {
        public ApiToken
        {
            ConfigChecks.checkText("auth.tokens.name", name);
            if (!name.matches("[A-Za-z0-9._@-]{1,64}")) {
                throw new ConfigException("auth.tokens.name", "must be 1-64 of [A-Za-z0-9._@-], got '" + name + "'");
            }
            if (role == null) {
                throw new ConfigException("auth.tokens.role", "is required (one of admin, viewer)");
            }
            if (token == null) {
                throw new ConfigException("auth.tokens.token", "is required");
            }
            if (token.reveal().length() < 16) {
                throw new ConfigException("auth.tokens.token", "of token '" + name + "' is shorter than 16 characters");
            }
        }
    }

    /** {@code viewer} may read; {@code admin} may also change things. */
    public enum Role
    {
        VIEWER, ADMIN;

        public boolean allows(Role required)
        {
            return this.ordinal() >= required.ordinal();
        }
    }
}
