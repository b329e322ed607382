package io.prestoorchestrator.api;

import io.prestoorchestrator.config.AuthConfig.ApiToken;
import io.prestoorchestrator.config.AuthConfig.Role;
import io.prestoorchestrator.error.AuthenticationException;
import io.prestoorchestrator.error.ForbiddenException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.SecurityRequirement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Bearer-token authentication of one operation of the OpenAPI contract, on that operation's own
 * route: the router has matched the request to the operation before this runs, so what it decides
 * is never a guess from the request path. An operation with an empty {@code security} list is
 * public; any other needs a token. The role it needs is the operation's {@code x-required-role},
 * else {@code viewer} for GET/HEAD and {@code admin} for everything else. A security scheme other
 * than {@value #SCHEME} is refused when the router is built, not let through. The token itself is
 * never logged or echoed; only the holder's name is kept (as "who asked").
 */
public final class BearerAuthHandler
        implements Handler<RoutingContext>
{
    public static final String PRINCIPAL = "principal";
    /** The contract's name for this scheme ({@code components.securitySchemes}). */
    public static final String SCHEME = "bearerAuth";
    private static final Logger log = LoggerFactory.getLogger(BearerAuthHandler.class);

    private final Operation operation;
    private final List<ApiToken> tokens;
    private final Role required;

    BearerAuthHandler(Operation operation, List<ApiToken> tokens)
    {
        this.operation = requireNonNull(operation, "operation is null");
        this.tokens = List.copyOf(requireNonNull(tokens, "tokens is null"));
        List<SecurityRequirement> requirements = operation.getSecurityRequirements();
        for (SecurityRequirement requirement : requirements) {
            if (!requirement.getNames().equals(Set.of(SCHEME))) {
                throw new IllegalArgumentException("Operation " + operation.getOperationId() + " requires security " + requirement.getNames()
                        + "; this service implements only " + SCHEME);
            }
        }
        this.required = requiredRole(operation);
    }

    /** The authentication of each operation of a contract, for {@link ApiRouters#builder}. */
    public static Function<Operation, Handler<RoutingContext>> forTokens(List<ApiToken> tokens)
    {
        List<ApiToken> copy = List.copyOf(requireNonNull(tokens, "tokens is null"));
        return operation -> new BearerAuthHandler(operation, copy);
    }

    @Override
    public void handle(RoutingContext context)
    {
        if (operation.getSecurityRequirements().isEmpty()) {
            context.next();
            return;
        }
        String header = context.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
            context.fail(new AuthenticationException("This endpoint needs a bearer token: send 'Authorization: Bearer <token>'", false));
            return;
        }
        if (header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            context.fail(new AuthenticationException("The Authorization header must use the Bearer scheme: 'Authorization: Bearer <token>'", false));
            return;
        }
        String presented = header.substring(7).trim();
        Optional<ApiToken> match = tokens.stream().filter(token -> token.token().matches(presented)).findFirst();
        if (match.isEmpty()) {
            log.atWarn().addKeyValue("path", context.normalizedPath()).addKeyValue("remote", context.request().remoteAddress() == null ? null : context.request().remoteAddress().hostAddress())
                    .log("Refused request with an unknown bearer token");
            context.fail(new AuthenticationException("The bearer token is not valid", true));
            return;
        }
        ApiToken token = match.get();
        if (!token.role().allows(required)) {
            log.atWarn().addKeyValue("principal", token.name()).addKeyValue("operation", operation.getOperationId())
                    .log("Refused request: role too low");
            context.fail(new ForbiddenException("Token '" + token.name() + "' has role " + token.role().name().toLowerCase(Locale.ROOT)
                    + "; " + operation.getOperationId() + " needs role " + required.name().toLowerCase(Locale.ROOT)));
            return;
        }
        context.put(PRINCIPAL, token.name());
        context.next();
    }

    static Role requiredRole(Operation operation)
    {
        JsonObject model = operation.getOpenAPIModel();
        String declared = model == null ? null : model.getString("x-required-role");
        if (declared != null) {
            return Role.valueOf(declared.toUpperCase(Locale.ROOT));
        }
        HttpMethod method = operation.getHttpMethod();
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) ? Role.VIEWER : Role.ADMIN;
    }
}
