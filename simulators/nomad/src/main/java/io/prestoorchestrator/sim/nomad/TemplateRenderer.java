package io.prestoorchestrator.sim.nomad;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Renders the subset of Nomad's consul-template language that job specs here use:
 * <ul>
 *   <li>{@code {{ env "NAME" }}} — the task's environment (empty when unset)</li>
 *   <li>{@code {{ with nomadVar "nomad/jobs/x" }} ... {{ end }}} — blocks until the variable exists,
 *       then renders the body with the variable's items as {@code .}</li>
 *   <li>{@code {{ .key }}}, {@code {{ .key.Value }}}, {@code {{ index . "key" }}} inside such a block</li>
 *   <li>{@code {{ range $k, $v := . }} ... {{ end }}} over the items, with {@code {{ $k }}} and {@code {{ $v }}}</li>
 *   <li>{@code {{ <value> | toJSON }}}: the value as a JSON string (for env templates)</li>
 *   <li>{@code {{- }}} / {@code {{ -}}} whitespace trimming and {@code {{/* comments *&#47;}}}</li>
 * </ul>
 * Anything else fails the render with a message naming the action.
 */
final class TemplateRenderer
{
    private static final Pattern TO_JSON = Pattern.compile("(.+)\\|\\s*toJSON");
    private static final Pattern STRING_ARG = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Thrown when a nomadVar does not exist yet; Nomad keeps the task waiting in that case. */
    static final class MissingVariable
            extends RuntimeException
    {
        final String path;

        MissingVariable(String path)
        {
            super("Missing: nomad.var.block(" + path + ")", null, false, false);
            this.path = path;
        }
    }

    private final Function<String, String> env;
    private final Function<String, Optional<Map<String, String>>> variables;

    TemplateRenderer(Function<String, String> env, Function<String, Optional<Map<String, String>>> variables)
    {
        this.env = requireNonNull(env, "env is null");
        this.variables = requireNonNull(variables, "variables is null");
    }

    String render(String template, String leftDelim, String rightDelim)
    {
        List<Object> tokens = tokenize(template, leftDelim, rightDelim);
        StringBuilder out = new StringBuilder();
        int end = renderBlock(tokens, 0, null, new LinkedHashMap<>(), out);
        if (end != tokens.size()) {
            throw new IllegalArgumentException("template: unexpected {{end}}");
        }
        return out.toString();
    }

    private record Action(String text) {}

    private static List<Object> tokenize(String template, String left, String right)
    {
        List<Object> tokens = new ArrayList<>();
        int position = 0;
        while (position < template.length()) {
            int start = template.indexOf(left, position);
            if (start < 0) {
                tokens.add(template.substring(position));
                break;
            }
            String text = template.substring(position, start);
            int close = template.indexOf(right, start + left.length());
            if (close < 0) {
                throw new IllegalArgumentException("template: unclosed action");
            }
            String action = template.substring(start + left.length(), close);
            boolean trimLeft = action.startsWith("- ") || action.equals("-");
            boolean trimRight = action.endsWith(" -");
            if (trimLeft) {
                text = text.stripTrailing();
                action = action.substring(1);
            }
            if (trimRight) {
                action = action.substring(0, action.length() - 1);
            }
            tokens.add(text);
            tokens.add(new Action(action.trim()));
            position = close + right.length();
            if (trimRight) {
                while (position < template.length() && Character.isWhitespace(template.charAt(position))) {
                    position++;
                }
            }
        }
        return tokens;
    }

    /** Renders tokens from {@code start} until a matching end; returns the index after the end (or tokens.size()). */
    private int renderBlock(List<Object> tokens, int start, Map<String, String> dot, Map<String, String> locals, StringBuilder out)
    {
        int i = start;
        while (i < tokens.size()) {
            Object token = tokens.get(i);
            if (token instanceof String text) {
                if (out != null) {
                    out.append(text);
                }
                i++;
                continue;
            }
            String action = ((Action) token).text();
            if (action.startsWith("/*")) {
                i++;
                continue;
            }
            if (action.equals("end")) {
                return i;
            }
            if (action.startsWith("with ")) {
                String expression = action.substring(5).trim();
                Map<String, String> value = out == null ? null : withValue(expression);
                int end = renderBlock(tokens, i + 1, value, locals, value == null ? null : out);
                i = end + 1;
                continue;
            }
            if (action.startsWith("range ")) {
                Matcher matcher = Pattern.compile("range\\s+\\$(\\w+)\\s*,\\s*\\$(\\w+)\\s*:=\\s*(.+)").matcher(action);
                if (!matcher.matches()) {
                    throw new IllegalArgumentException("template: unsupported range form: " + action);
                }
                Map<String, String> items = out == null ? Map.of() : rangeSource(matcher.group(3).trim(), dot);
                int end = skip(tokens, i + 1);
                if (out != null) {
                    for (Map.Entry<String, String> item : new java.util.TreeMap<>(items).entrySet()) {
                        Map<String, String> scope = new LinkedHashMap<>(locals);
                        scope.put(matcher.group(1), item.getKey());
                        scope.put(matcher.group(2), item.getValue());
                        renderBlock(tokens, i + 1, dot, scope, out);
                    }
                }
                i = end + 1;
                continue;
            }
            if (out != null) {
                out.append(evaluate(action, dot, locals));
            }
            i++;
        }
        return i;
    }

    private int skip(List<Object> tokens, int start)
    {
        return renderBlock(tokens, start, null, Map.of(), null);
    }

    private Map<String, String> withValue(String expression)
    {
        if (expression.startsWith("nomadVar ")) {
            String path = stringArg(expression.substring("nomadVar ".length()));
            String bare = path.contains("@") ? path.substring(0, path.indexOf('@')) : path;
            return variables.apply(bare).orElseThrow(() -> new MissingVariable(path));
        }
        throw new IllegalArgumentException("template: unsupported with expression: " + expression);
    }

    private Map<String, String> rangeSource(String expression, Map<String, String> dot)
    {
        if (expression.equals(".")) {
            if (dot == null) {
                throw new IllegalArgumentException("template: range over . outside a nomadVar block");
            }
            return dot;
        }
        if (expression.startsWith("nomadVar ")) {
            return withValue(expression);
        }
        throw new IllegalArgumentException("template: unsupported range source: " + expression);
    }

    private String evaluate(String action, Map<String, String> dot, Map<String, String> locals)
    {
        Matcher piped = TO_JSON.matcher(action);
        if (piped.matches()) {
            try {
                return Json.MAPPER.writeValueAsString(evaluate(piped.group(1).trim(), dot, locals));
            }
            catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        if (action.startsWith("env ")) {
            String value = env.apply(stringArg(action.substring(4)));
            return value == null ? "" : value;
        }
        if (action.startsWith("$")) {
            String name = action.substring(1).replaceAll("\\.Value$", "");
            String value = locals.get(name);
            if (value == null) {
                throw new IllegalArgumentException("template: undefined variable: $" + name);
            }
            return value;
        }
        if (action.startsWith("index . ")) {
            return item(dot, stringArg(action.substring("index . ".length())), action);
        }
        if (action.startsWith(".")) {
            String key = action.substring(1);
            if (key.endsWith(".Value")) {
                key = key.substring(0, key.length() - ".Value".length());
            }
            return item(dot, key, action);
        }
        throw new IllegalArgumentException("template: unsupported action {{ " + action + " }} (the simulator renders a documented subset)");
    }

    private static String item(Map<String, String> dot, String key, String action)
    {
        if (dot == null) {
            throw new IllegalArgumentException("template: {{ " + action + " }} outside a nomadVar block");
        }
        String value = dot.get(key);
        return value == null ? "<no value>" : value;
    }

    private static String stringArg(String text)
    {
        Matcher matcher = STRING_ARG.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("template: expected a quoted string, got " + text);
        }
        return matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
