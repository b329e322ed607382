package io.prestoorchestrator.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A stable fingerprint of a spec for provenance: SHA-256 of its canonical JSON (properties and
 * map keys sorted, no whitespace), written {@code sha256:<hex>}. Equal specs hash equally
 * whatever the order their maps were built in; any change to any field changes the hash.
 */
public final class SpecHash
{
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private SpecHash() {}

    public static String canonicalJson(ClusterSpec spec)
    {
        try {
            return CANONICAL.writeValueAsString(spec);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise cluster spec", e);
        }
    }

    public static String of(ClusterSpec spec)
    {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson(spec).getBytes(UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
