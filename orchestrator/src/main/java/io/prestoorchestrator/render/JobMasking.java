package io.prestoorchestrator.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.prestoorchestrator.cluster.KnownProperties;
import io.prestoorchestrator.config.Secret;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A display copy of a job with anything that looks like a secret masked. Rendered jobs carry no
 * secret values by construction (secrets arrive through Nomad Variables); this is the second line
 * of defence against an operator's template or a property override that writes one in plain text.
 * Masked: string values of fields whose name looks secret (in {@code Env}, {@code Meta},
 * {@code Config}, ...), and {@code key=value} lines of task templates whose key looks secret, unless
 * the value is a template lookup ({@code {{ ... }}}).
 */
public final class JobMasking
{
    private static final Pattern PROPERTY_LINE = Pattern.compile("(?m)^(\\s*([A-Za-z0-9._-]+)\\s*=\\s*)(.*)$");
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|passwd|secret|token|credential|credentials|private[-_.]?key|access[-_.]?key)$");

    private JobMasking() {}

    public static ObjectNode mask(ObjectNode job)
    {
        ObjectNode copy = job.deepCopy();
        walk(copy);
        return copy;
    }

    private static void walk(JsonNode node)
    {
        if (node instanceof ObjectNode object) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            object.fields().forEachRemaining(fields::add);
            for (Map.Entry<String, JsonNode> field : fields) {
                JsonNode value = field.getValue();
                if (value.isTextual()) {
                    if (looksSecret(field.getKey()) && !value.asText().isEmpty() && !value.asText().contains("{{")) {
                        object.put(field.getKey(), Secret.MASK);
                    }
                    else {
                        object.set(field.getKey(), TextNode.valueOf(maskLines(value.asText())));
                    }
                }
                else {
                    walk(value);
                }
            }
        }
        else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isTextual()) {
                    array.set(i, TextNode.valueOf(maskLines(array.get(i).asText())));
                }
                else {
                    walk(array.get(i));
                }
            }
        }
    }

    private static String maskLines(String text)
    {
        if (!text.contains("=")) {
            return text;
        }
        Matcher matcher = PROPERTY_LINE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = matcher.group(3);
            String replacement = looksSecret(matcher.group(2)) && !value.isBlank() && !value.contains("{{")
                    ? matcher.group(1) + Secret.MASK
                    : matcher.group(0);
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static boolean looksSecret(String name)
    {
        return KnownProperties.looksSecret(name) || SECRET_NAME.matcher(name).matches();
    }
}
