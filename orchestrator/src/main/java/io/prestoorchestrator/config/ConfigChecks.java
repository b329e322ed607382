package io.prestoorchestrator.config;

import java.net.URI;
import java.time.Duration;

final class ConfigChecks
{
    private ConfigChecks() {}

    static void checkText(String key, String value)
    {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key, "is required and must not be blank");
        }
    }

    static void checkPort(String key, int port)
    {
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, "must be a port between 0 and 65535, got " + port);
        }
    }

    static void checkPositive(String key, Duration value)
    {
        if (value == null) {
            throw new ConfigException(key, "is required (a duration such as 500ms, 10s, 5m)");
        }
        if (value.isNegative() || value.isZero()) {
            throw new ConfigException(key, "must be a positive duration, got " + Durations.format(value));
        }
    }

    static void checkHttpUri(String key, URI uri)
    {
        if (uri == null) {
            throw new ConfigException(key, "is required (a URL such as http://127.0.0.1:4646)");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new ConfigException(key, "must be an http:// or https:// URL with a host, got '" + uri + "'");
        }
    }
}
