package io.prestoorchestrator.sim.consul.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON exactly as a {@code consul agent -dev} writes it: Go's {@code json.MarshalIndent(v, "", "    ")}
 * plus a trailing newline (dev agents always pretty-print), with Go's HTML-safe escaping of
 * {@code < > &}. Some clients depend on the layout: vertx-consul-client cuts the quotes and the
 * newline off /v1/status/leader by position.
 */
final class GoJson
{
    private static final String INDENT = "    ";

    private GoJson() {}

    static String marshalIndent(Object value)
    {
        StringBuilder out = new StringBuilder();
        write(out, value, "");
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object value, String indent)
    {
        if (value == null) {
            out.append("null");
        }
        else if (value instanceof JsonObject object) {
            writeObject(out, object.getMap(), indent);
        }
        else if (value instanceof Map<?, ?> map) {
            writeObject(out, map, indent);
        }
        else if (value instanceof JsonArray array) {
            writeArray(out, array.getList(), indent);
        }
        else if (value instanceof List<?> list) {
            writeArray(out, list, indent);
        }
        else if (value instanceof CharSequence text) {
            writeString(out, text.toString());
        }
        else if (value instanceof Boolean || value instanceof Integer || value instanceof Long || value instanceof Short) {
            out.append(value);
        }
        else if (value instanceof Number number) {
            double d = number.doubleValue();
            out.append(d == Math.rint(d) && Math.abs(d) < 1e21 ? Long.toString((long) d) : Double.toString(d));
        }
        else {
            writeString(out, value.toString());
        }
    }

    private static void writeObject(StringBuilder out, Map<?, ?> map, String indent)
    {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        String inner = indent + INDENT;
        out.append("{\n");
        Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<?, ?> entry = entries.next();
            out.append(inner);
            writeString(out, String.valueOf(entry.getKey()));
            out.append(": ");
            write(out, entry.getValue(), inner);
            out.append(entries.hasNext() ? ",\n" : "\n");
        }
        out.append(indent).append('}');
    }

    private static void writeArray(StringBuilder out, List<?> list, String indent)
    {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        String inner = indent + INDENT;
        out.append("[\n");
        for (int i = 0; i < list.size(); i++) {
            out.append(inner);
            write(out, list.get(i), inner);
            out.append(i + 1 < list.size() ? ",\n" : "\n");
        }
        out.append(indent).append(']');
    }

    private static void writeString(StringBuilder out, String text)
    {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
