package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A Nomad plan ({@code POST /v1/clusters/{name}/plan}) as text, in the manner of {@code nomad job plan}:
 * {@code +} added, {@code -} deleted, {@code ~} edited; each task group with what the scheduler would
 * do; the changed fields of what is edited, long values (embedded Trino config files) cut to one
 * line. {@code --json} has everything.
 */
final class PlanPrinter
{
    private static final int MAX_VALUE = 100;

    private final PrintWriter out;

    PlanPrinter(PrintWriter out)
    {
        this.out = out;
    }

    void print(String cluster, JsonNode plan)
    {
        JsonNode diff = plan.path("diff");
        String type = plan.path("diffType").asText("None");
        out.println("Plan for cluster " + cluster + " (job " + diff.path("ID").asText("?") + "): " + switch (type) {
            case "None" -> "no changes";
            case "Added" -> "the job would be created";
            case "Deleted" -> "the job would be removed";
            default -> "the job would change";
        });
        if (plan.path("effect").hasNonNull("summary")) {
            out.println("Allocations: " + plan.path("effect").path("summary").asText());
        }
        // issue 18: a catalog attached or detached live changes no allocation; the others take the rolling restart
        JsonNode catalogs = plan.path("catalogs");
        if (catalogs.path("steps").size() > 0) {
            out.println("Catalogs: " + switch (catalogs.path("path").asText()) {
                case "live" -> "changed live (CREATE/DROP CATALOG on the coordinator), no allocation replaced";
                case "restart" -> "the change takes the rolling restart";
                default -> catalogs.path("path").asText();
            });
            for (JsonNode step : catalogs.path("steps")) {
                out.println("  " + step.path("action").asText() + " " + step.path("catalog").asText() + ": " + step.path("path").asText() + ", " + step.path("why").asText());
            }
        }
        out.println();
        line(0, type, "Job: \"" + diff.path("ID").asText() + "\"");
        details(1, diff);
        for (JsonNode group : diff.path("TaskGroups")) {
            String name = group.path("Name").asText();
            String updates = updates(plan.path("groups").path(name));
            line(1, group.path("Type").asText("None"), "Task Group: \"" + name + "\"" + (updates.isEmpty() ? "" : " (" + updates + ")"));
            details(2, group);
            if (!edited(group)) {
                continue;
            }
            for (JsonNode task : group.path("Tasks")) {
                if (task.path("Type").asText("None").equals("None")) {
                    continue;
                }
                line(2, task.path("Type").asText(), "Task: \"" + task.path("Name").asText() + "\"" + annotations(task.path("Annotations")));
                details(3, task);
            }
        }
        if (!plan.path("warnings").asText("").isBlank()) {
            out.println();
            out.println("Warnings: " + plan.path("warnings").asText().strip());
        }
        if (plan.path("placementFailures").asBoolean(false)) {
            out.println();
            out.println("Placement failures: the scheduler could not place every allocation (not enough capacity, or constraints that no node meets).");
        }
        out.flush();
    }

    /** The changed fields and objects of an edited node; an added or deleted one is all new or all gone, and --json has it whole. */
    private void details(int depth, JsonNode node)
    {
        if (edited(node)) {
            fields(depth, node.path("Fields"));
            objects(depth, node.path("Objects"));
        }
    }

    private static boolean edited(JsonNode node)
    {
        return node.path("Type").asText("None").equals("Edited");
    }

    private void fields(int depth, JsonNode fields)
    {
        for (JsonNode field : fields) {
            String type = field.path("Type").asText("None");
            String name = field.path("Name").asText();
            String change = switch (type) {
                case "Added" -> value(field.path("New"));
                case "Deleted" -> value(field.path("Old"));
                case "None" -> value(field.path("New"));
                default -> value(field.path("Old")) + " => " + value(field.path("New"));
            };
            line(depth, type, name + ": " + change + annotations(field.path("Annotations")));
        }
    }

    private void objects(int depth, JsonNode objects)
    {
        for (JsonNode object : objects) {
            line(depth, object.path("Type").asText("None"), object.path("Name").asText() + " {");
            fields(depth + 1, object.path("Fields"));
            objects(depth + 1, object.path("Objects"));
            line(depth, "None", "}");
        }
    }

    private void line(int depth, String type, String text)
    {
        String marker = switch (type) {
            case "Added" -> "+ ";
            case "Deleted" -> "- ";
            case "Edited" -> "~ ";
            default -> "  ";
        };
        out.println("  ".repeat(depth) + marker + text);
    }

    private static String value(JsonNode value)
    {
        if (value.isMissingNode() || value.isNull()) {
            return "\"\"";
        }
        String text = value.asText().replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"");
        if (text.length() > MAX_VALUE) {
            text = text.substring(0, MAX_VALUE) + "... (" + value.asText().length() + " characters)";
        }
        return "\"" + text + "\"";
    }

    private static String annotations(JsonNode annotations)
    {
        List<String> texts = new ArrayList<>();
        annotations.forEach(annotation -> texts.add(annotation.asText()));
        return texts.isEmpty() ? "" : " (" + String.join(", ", texts) + ")";
    }

    /** The scheduler's desired updates of one group, as Nomad words them. */
    private static String updates(JsonNode group)
    {
        List<String> parts = new ArrayList<>();
        add(parts, group.path("place").asInt(0), "create");
        add(parts, group.path("stop").asInt(0), "destroy");
        add(parts, group.path("migrate").asInt(0), "migrate");
        add(parts, group.path("inPlaceUpdate").asInt(0), "in-place update");
        add(parts, group.path("destructiveUpdate").asInt(0), "create/destroy update");
        add(parts, group.path("canary").asInt(0), "canary");
        add(parts, group.path("ignore").asInt(0), "ignore");
        return String.join(", ", parts);
    }

    private static void add(List<String> parts, int count, String what)
    {
        if (count > 0) {
            parts.add(count + " " + what);
        }
    }
}
