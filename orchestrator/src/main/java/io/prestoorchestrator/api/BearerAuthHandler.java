package io.prestoorchestrator.api;

import io.prestoorchestrator.config.AuthConfig.ApiToken;
import io.prestoorchestrator.config.AuthConfig.Role;
import io.prestoorchestrator.error.AuthenticationException;
import io.prestoorchestrator.error.ForbiddenException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Bearer-token authentication driven by the OpenAPI contract: an operation with an empty
 * {@code security} list is public; any other needs a token. The role it needs is the operation's
 * {@code x-required-role}, else {@code viewer} for GET/HEAD and {@code admin} for everything else.
 * The token itself is never logged or echoed; only the holder's name is kept (as "who asked").
 */
public final class BearerAuthHandler
        implements AuthenticationHandler
{
    public static final String PRINCIPAL = "principal";
    private static final Logger log = LoggerFactory.getLogger(BearerAuthHandler.class);

    private final OpenAPIContract contract;
    private final List<ApiToken> tokens;

    public BearerAuthHandler(OpenAPIContract contract, List<ApiToken> tokens)
    {
        this.contract = requireNonNull(contract, "contract is null");
        this.tokens = List.copyOf(requireNonNull(tokens, "tokens is null"));
    }

    @Override
    public void handle(RoutingContext context)
    {
        Operation operation = contract.findOperation(context.normalizedPath(), context.request().method());
        if (operation == null || operation.getSecurityRequirements().isEmpty()) {
            // unknown routes fall through to the router's 404/405; public operations need nothing
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
        Role required = requiredRole(operation);
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
