package io.prestoorchestrator.discovery;

import io.prestoorchestrator.error.InvalidInputException;

import static java.util.Objects.requireNonNull;

/** Key rules shared by every {@link KvStore}: relative, slash-separated, no empty or dot segments. */
final class KvKeys
{
    private KvKeys() {}

    static String checkKey(String key)
    {
        requireNonNull(key, "key is null");
        if (key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
            throw InvalidInputException.malformed("key", "KV key must be non-empty and must not start or end with '/': '" + key + "'");
        }
        checkSegments(key);
        return key;
    }

    /** A prefix to list: empty (everything) or a key-like path, with or without a trailing '/'. */
    static String checkPrefix(String prefix)
    {
        requireNonNull(prefix, "prefix is null");
        if (prefix.startsWith("/")) {
            throw InvalidInputException.malformed("prefix", "KV prefix must not start with '/': '" + prefix + "'");
        }
        String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (!trimmed.isEmpty()) {
            checkSegments(trimmed);
        }
        return prefix;
    }

    static void checkIndex(long expectedModifyIndex)
    {
        if (expectedModifyIndex < 0) {
            throw new IllegalArgumentException("expected modify index is negative: " + expectedModifyIndex);
        }
    }

    private static void checkSegments(String path)
    {
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw InvalidInputException.malformed("key", "KV key has an empty, '.' or '..' segment: '" + path + "'");
            }
        }
    }
}
