package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.error.AuthenticationException;
import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.error.NotFoundException;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Ignored;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Malformed;
import io.prestoorchestrator.lifecycle.LifecycleMessage.SubscriptionConfirmation;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Terminating;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * {@code POST /v1/lifecycle/events}: the same lifecycle events as the SQS queue, pushed by an
 * EventBridge API destination (API-key auth: the secret in the configured header) or an SNS HTTPS
 * subscription (SNS cannot set headers: the secret is the basic-auth password in the subscription
 * URL). The body is read as text whatever its content type, since SNS posts {@code text/plain}.
 */
public final class LifecycleEndpoint
        implements Handler<RoutingContext>
{
    private static final Logger log = LoggerFactory.getLogger(LifecycleEndpoint.class);
    /** SNS's own endpoints; a SubscribeURL anywhere else is not followed. */
    private static final Pattern SNS_HOST = Pattern.compile("sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?");

    private final LifecycleService service;
    private final Optional<Secret> secret;
    private final String secretHeader;
    private final Function<URI, CompletionStage<Void>> confirmSubscription;
    private final Pattern trustedSubscribeHost;

    public LifecycleEndpoint(LifecycleService service, Optional<Secret> secret, String secretHeader, Function<URI, CompletionStage<Void>> confirmSubscription)
    {
        this(service, secret, secretHeader, confirmSubscription, SNS_HOST);
    }

    LifecycleEndpoint(LifecycleService service, Optional<Secret> secret, String secretHeader, Function<URI, CompletionStage<Void>> confirmSubscription, Pattern trustedSubscribeHost)
    {
        this.service = requireNonNull(service, "service is null");
        this.secret = requireNonNull(secret, "secret is null");
        this.secretHeader = requireNonNull(secretHeader, "secretHeader is null");
        this.confirmSubscription = requireNonNull(confirmSubscription, "confirmSubscription is null");
        this.trustedSubscribeHost = requireNonNull(trustedSubscribeHost, "trustedSubscribeHost is null");
    }

    /**
     * The route's authentication, before its body is read: 404 when no secret is configured, 401
     * without the right one, else on to the body and {@link #handle}.
     */
    public Handler<RoutingContext> authentication()
    {
        return context -> {
            if (secret.isEmpty()) {
                context.fail(new NotFoundException("Lifecycle events over HTTP are not configured: set lifecycle.enabled and lifecycle.http-secret"));
                return;
            }
            if (!authenticated(context)) {
                log.atWarn().addKeyValue("remote", context.request().remoteAddress() == null ? null : context.request().remoteAddress().hostAddress())
                        .log("Refused a lifecycle event without the shared secret");
                context.fail(new AuthenticationException("This endpoint needs the lifecycle shared secret: send it in header " + secretHeader
                        + " (EventBridge API destination API key) or as the basic-auth password (SNS subscription URL)", true));
                return;
            }
            context.next();
        };
    }

    /** An event {@link #authentication()} let through. */
    @Override
    public void handle(RoutingContext context)
    {
        String body = context.body() == null ? null : context.body().asString(UTF_8.name());
        LifecycleMessage message = LifecycleMessages.parse(body);
        if (message instanceof Malformed malformed) {
            log.atWarn().addKeyValue("field", malformed.field()).addKeyValue("reason", malformed.reason()).log("Refused a malformed lifecycle event");
            context.fail(InvalidInputException.malformed(malformed.field(), "Not a lifecycle event: " + malformed.field() + " " + malformed.reason()));
            return;
        }
        if (message instanceof SubscriptionConfirmation confirmation) {
            confirm(context, confirmation);
            return;
        }
        service.accept(message).whenComplete((disposition, failure) -> {
            if (failure != null) {
                context.fail(Failures.unwrap(failure));
                return;
            }
            JsonObject answer = new JsonObject().put("disposition", disposition.name().toLowerCase(java.util.Locale.ROOT));
            if (message instanceof Terminating terminating) {
                answer.put("instance", terminating.action().instanceId());
            }
            if (message instanceof Ignored ignored) {
                answer.put("reason", ignored.reason());
            }
            context.response().setStatusCode(message instanceof Terminating ? 202 : 200);
            context.json(answer);
        });
    }

    private void confirm(RoutingContext context, SubscriptionConfirmation confirmation)
    {
        URI url;
        try {
            url = URI.create(confirmation.subscribeUrl());
        }
        catch (IllegalArgumentException e) {
            context.fail(InvalidInputException.unprocessable("/SubscribeURL", "SubscribeURL is not a URL"));
            return;
        }
        if (!"https".equals(url.getScheme()) || url.getHost() == null || !trustedSubscribeHost.matcher(url.getHost()).matches()) {
            context.fail(InvalidInputException.unprocessable("/SubscribeURL", "SubscribeURL must be an https URL on sns.<region>.amazonaws.com; not following it"));
            return;
        }
        confirmSubscription.apply(url).whenComplete((ignored, failure) -> {
            if (failure != null) {
                context.fail(Failures.unwrap(failure));
                return;
            }
            log.atInfo().addKeyValue("topic", confirmation.topicArn()).log("SNS subscription for lifecycle events confirmed");
            context.json(new JsonObject().put("disposition", "subscription-confirmed").put("topic", confirmation.topicArn()));
        });
    }

    private boolean authenticated(RoutingContext context)
    {
        Secret expected = secret.get();
        String header = context.request().getHeader(secretHeader);
        if (header != null) {
            return expected.matches(header.strip());
        }
        String authorization = context.request().getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), UTF_8);
                int colon = decoded.indexOf(':');
                return colon >= 0 && expected.matches(decoded.substring(colon + 1));
            }
            catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }
}
