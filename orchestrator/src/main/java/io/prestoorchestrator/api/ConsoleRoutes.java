package io.prestoorchestrator.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The web console (issue 22): static files under {@value #BASE}, read from the jar once, at
 * startup, into memory. They hold no data, so they are served without a token; every data call the
 * page makes goes to the public {@code /v1} API with the user's bearer token, and is authenticated
 * there, by the route the router matched. Only the files of {@link #FILES} exist: a path is looked
 * up by its exact name, never resolved against a directory, so no path reaches another resource.
 *
 * <p>Every answer carries a Content-Security-Policy that allows scripts, styles and connections to
 * this origin only (no inline script or style, no framing), {@code nosniff} and no referrer.
 * {@code index.html} is never stored by a cache; the other files are revalidated on every use
 * ({@code no-cache} with an ETag, so an unchanged file is a 304), so a new version is picked up at
 * once without renaming files.
 */
public final class ConsoleRoutes
{
    public static final String BASE = "/ui/";
    static final String RESOURCE_DIR = "io/prestoorchestrator/ui/";
    /** Every file of the console; {@code TestOrchestratorApi} checks it against the resource directory. */
    static final List<String> FILES = List.of("index.html", "console.css", "app.js", "api.js", "views.js", "dialogs.js", "chart.js", "format.js");
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "png", "image/png",
            "svg", "image/svg+xml");

    private final Map<String, Asset> assets;

    private ConsoleRoutes(Map<String, Asset> assets)
    {
        this.assets = Map.copyOf(requireNonNull(assets, "assets is null"));
    }

    /** The files of {@link #FILES} from the classpath; fails naming the one that is missing. */
    public static ConsoleRoutes fromClasspath()
    {
        Map<String, Asset> assets = new LinkedHashMap<>();
        ClassLoader loader = ConsoleRoutes.class.getClassLoader();
        for (String file : FILES) {
            try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + file)) {
                if (in == null) {
                    throw new IllegalStateException("the console's " + RESOURCE_DIR + file + " is missing from the classpath");
                }
                assets.put(file, Asset.of(file, in.readAllBytes()));
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ConsoleRoutes(assets);
    }

    /** Adds {@code /ui/*} to the router, next to the contract's routes ({@code /ui} itself redirects to {@value #BASE}). */
    public void register(Router router)
    {
        router.route(BASE + "*").handler(this::serve);
    }

    private void serve(RoutingContext context)
    {
        HttpMethod method = context.request().method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            secured(context.response()).putHeader(HttpHeaders.ALLOW, "GET, HEAD");
            context.fail(405);
            return;
        }
        String path = context.normalizedPath();
        if (!path.startsWith(BASE)) {
            // the router matches /ui too: relative links in index.html need the slash
            secured(context.response()).setStatusCode(301).putHeader(HttpHeaders.LOCATION, BASE).end();
            return;
        }
        String name = path.equals(BASE) ? "index.html" : path.substring(BASE.length());
        Asset asset = assets.get(name);
        if (asset == null) {
            context.fail(404);
            return;
        }
        HttpServerResponse response = secured(context.response())
                .putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType())
                .putHeader(HttpHeaders.CACHE_CONTROL, name.equals("index.html") ? "no-store" : "no-cache")
                .putHeader(HttpHeaders.ETAG, asset.etag());
        if (asset.etag().equals(context.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
            response.setStatusCode(304).end();
            return;
        }
        if (method.equals(HttpMethod.HEAD)) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(asset.content().length())).end();
            return;
        }
        response.end(asset.content());
    }

    private static HttpServerResponse secured(HttpServerResponse response)
    {
        return response
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY");
    }

    private record Asset(Buffer content, String contentType, String etag)
    {
        static Asset of(String name, byte[] bytes)
        {
            String extension = name.substring(name.lastIndexOf('.') + 1);
            String type = requireNonNull(TYPES.get(extension), () -> "no content type for " + name);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
                return new Asset(Buffer.buffer(bytes), type, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
            }
            catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
