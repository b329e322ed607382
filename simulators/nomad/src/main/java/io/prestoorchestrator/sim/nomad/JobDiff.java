package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A structural job diff in Nomad's JobDiff shape: Type Added/Deleted/Edited/None; TaskGroups and
 * Tasks matched by name; primitive fields as Fields (Name/Old/New); nested objects as Objects;
 * maps flattened to {@code Name[key]}; primitive lists as an object of Added/Deleted elements.
 * Only changed fields are listed (Nomad's non-contextual diff).
 */
final class JobDiff
{
    private static final Set<String> SERVER_FIELDS = Set.of("Status", "StatusDescription", "Stable", "Version", "CreateIndex",
            "ModifyIndex", "JobModifyIndex", "SubmitTime", "NomadTokenID", "TaskGroups", "Tasks");
    private static final Set<String> SCALING_SERVER_FIELDS = Set.of("ID", "Namespace", "Target", "CreateIndex", "ModifyIndex");

    private JobDiff() {}

    static ObjectNode diff(JsonNode oldJob, JsonNode newJob)
    {
        ObjectNode out = Json.object();
        JsonNode any = newJob != null ? newJob : oldJob;
        out.put("ID", any.get("ID").asText());
        ObjectDiff body = diffObject(oldJob, newJob, SERVER_FIELDS);
        ArrayNode groups = Json.array();
        Map<String, JsonNode[]> byName = byName(oldJob == null ? null : oldJob.get("TaskGroups"), newJob == null ? null : newJob.get("TaskGroups"));
        boolean groupChanged = false;
        for (Map.Entry<String, JsonNode[]> entry : byName.entrySet()) {
            ObjectNode group = groupDiff(entry.getKey(), entry.getValue()[0], entry.getValue()[1]);
            groupChanged |= !group.get("Type").asText().equals("None");
            groups.add(group);
        }
        String type = oldJob == null ? "Added" : newJob == null ? "Deleted" : (body.changed() || groupChanged) ? "Edited" : "None";
        out.put("Type", type);
        out.set("Fields", body.fields.isEmpty() ? null : body.fields);
        out.set("Objects", body.objects.isEmpty() ? null : body.objects);
        out.set("TaskGroups", groups);
        return out;
    }

    /** Adds the scheduler's desired updates to a group diff, as Nomad's plan annotates it. */
    static void annotateGroup(ObjectNode jobDiff, String groupName, JsonNode updates)
    {
        for (JsonNode group : jobDiff.get("TaskGroups")) {
            if (!group.get("Name").asText().equals(groupName)) {
                continue;
            }
            ObjectNode counts = Json.object();
            putIfPositive(counts, "create", updates.get("Place").asLong());
            putIfPositive(counts, "destroy", updates.get("Stop").asLong());
            putIfPositive(counts, "ignore", updates.get("Ignore").asLong());
            putIfPositive(counts, "in-place update", updates.get("InPlaceUpdate").asLong());
            putIfPositive(counts, "create/destroy update", updates.get("DestructiveUpdate").asLong());
            ((ObjectNode) group).set("Updates", counts.isEmpty() ? null : counts);
            JsonNode fields = group.get("Fields");
            if (fields != null && fields.isArray()) {
                for (JsonNode field : fields) {
                    if (field.get("Name").asText().equals("Count") && field.get("Type").asText().equals("Edited")) {
                        long oldCount = Long.parseLong(field.get("Old").asText());
                        long newCount = Long.parseLong(field.get("New").asText());
                        ArrayNode annotations = Json.array().add(newCount > oldCount ? "forces create" : "forces destroy");
                        ((ObjectNode) field).set("Annotations", annotations);
                    }
                }
            }
            if (updates.get("DestructiveUpdate").asLong() > 0) {
                for (JsonNode task : group.get("Tasks")) {
                    if (task.get("Type").asText().equals("Edited")) {
                        ((ObjectNode) task).set("Annotations", Json.array().add("forces create/destroy update"));
                    }
                }
            }
            else if (updates.get("InPlaceUpdate").asLong() > 0) {
                for (JsonNode task : group.get("Tasks")) {
                    if (task.get("Type").asText().equals("Edited")) {
                        ((ObjectNode) task).set("Annotations", Json.array().add("forces in-place update"));
                    }
                }
            }
        }
    }

    private static void putIfPositive(ObjectNode node, String name, long value)
    {
        if (value > 0) {
            node.put(name, value);
        }
    }

    private static ObjectNode groupDiff(String name, JsonNode oldGroup, JsonNode newGroup)
    {
        ObjectNode out = Json.object();
        ObjectDiff body = diffObject(oldGroup, newGroup, Set.of("Tasks", "Name"));
        ArrayNode tasks = Json.array();
        boolean taskChanged = false;
        for (Map.Entry<String, JsonNode[]> entry : byName(oldGroup == null ? null : oldGroup.get("Tasks"), newGroup == null ? null : newGroup.get("Tasks")).entrySet()) {
            JsonNode oldTask = entry.getValue()[0];
            JsonNode newTask = entry.getValue()[1];
            ObjectDiff taskBody = diffObject(oldTask, newTask, Set.of("Name"));
            ObjectNode task = Json.object();
            String type = oldTask == null ? "Added" : newTask == null ? "Deleted" : taskBody.changed() ? "Edited" : "None";
            taskChanged |= !type.equals("None");
            task.put("Type", type);
            task.put("Name", entry.getKey());
            task.set("Fields", taskBody.fields.isEmpty() ? null : taskBody.fields);
            task.set("Objects", taskBody.objects.isEmpty() ? null : taskBody.objects);
            task.putNull("Annotations");
            tasks.add(task);
        }
        String type = oldGroup == null ? "Added" : newGroup == null ? "Deleted" : (body.changed() || taskChanged) ? "Edited" : "None";
        out.put("Type", type);
        out.put("Name", name);
        out.set("Fields", body.fields.isEmpty() ? null : body.fields);
        out.set("Objects", body.objects.isEmpty() ? null : body.objects);
        out.set("Tasks", tasks);
        out.putNull("Updates");
        return out;
    }

    private static Map<String, JsonNode[]> byName(JsonNode oldList, JsonNode newList)
    {
        Map<String, JsonNode[]> out = new TreeMap<>();
        if (oldList != null && oldList.isArray()) {
            oldList.forEach(item -> out.computeIfAbsent(item.get("Name").asText(), k -> new JsonNode[2])[0] = item);
        }
        if (newList != null && newList.isArray()) {
            newList.forEach(item -> out.computeIfAbsent(item.get("Name").asText(), k -> new JsonNode[2])[1] = item);
        }
        return out;
    }

    private record ObjectDiff(ArrayNode fields, ArrayNode objects)
    {
        boolean changed()
        {
            return !fields.isEmpty() || !objects.isEmpty();
        }
    }

    private static ObjectDiff diffObject(JsonNode oldNode, JsonNode newNode, Set<String> skip)
    {
        List<ObjectNode> fields = new ArrayList<>();
        List<ObjectNode> objects = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        addNames(names, oldNode);
        addNames(names, newNode);
        for (String name : names) {
            if (skip.contains(name)) {
                continue;
            }
            JsonNode oldValue = value(oldNode, name);
            JsonNode newValue = value(newNode, name);
            if (name.equals("Scaling")) {
                oldValue = stripScaling(oldValue);
                newValue = stripScaling(newValue);
            }
            if (oldValue == null && newValue == null) {
                continue;
            }
            JsonNode sample = newValue != null ? newValue : oldValue;
            if (sample.isValueNode()) {
                if (oldValue == null || newValue == null || !oldValue.equals(newValue)) {
                    fields.add(field(name, oldValue, newValue));
                }
            }
            else if (sample.isArray()) {
                boolean primitive = true;
                for (JsonNode element : sample) {
                    primitive &= element.isValueNode();
                }
                if (primitive) {
                    ObjectNode list = primitiveList(name, oldValue, newValue);
                    if (list != null) {
                        objects.add(list);
                    }
                }
                else {
                    int size = Math.max(oldValue == null ? 0 : oldValue.size(), newValue == null ? 0 : newValue.size());
                    String singular = name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
                    for (int i = 0; i < size; i++) {
                        ObjectNode object = nested(singular, element(oldValue, i), element(newValue, i));
                        if (object != null) {
                            objects.add(object);
                        }
                    }
                }
            }
            else if (isStringMap(sample) && !name.equals("Config") && !name.equals("Policy")) {
                Set<String> keys = new TreeSet<>();
                addNames(keys, oldValue);
                addNames(keys, newValue);
                for (String key : keys) {
                    JsonNode o = value(oldValue, key);
                    JsonNode n = value(newValue, key);
                    if (o == null || n == null || !o.equals(n)) {
                        fields.add(field(name + "[" + key + "]", o, n));
                    }
                }
            }
            else {
                ObjectNode object = nested(name, oldValue, newValue);
                if (object != null) {
                    objects.add(object);
                }
            }
        }
        ArrayNode fieldArray = Json.array();
        fields.stream().sorted(Comparator.comparing(f -> f.get("Name").asText())).forEach(fieldArray::add);
        ArrayNode objectArray = Json.array();
        objects.stream().sorted(Comparator.comparing(o -> o.get("Name").asText())).forEach(objectArray::add);
        return new ObjectDiff(fieldArray, objectArray);
    }

    private static JsonNode stripScaling(JsonNode scaling)
    {
        if (scaling == null || !scaling.isObject()) {
            return scaling;
        }
        ObjectNode copy = scaling.deepCopy();
        copy.remove(SCALING_SERVER_FIELDS);
        return copy;
    }

    private static ObjectNode nested(String name, JsonNode oldValue, JsonNode newValue)
    {
        if (oldValue != null && newValue != null && oldValue.equals(newValue)) {
            return null;
        }
        ObjectDiff body = diffObject(oldValue, newValue, Set.of());
        if (oldValue != null && newValue != null && !body.changed()) {
            return null;
        }
        ObjectNode out = Json.object();
        out.put("Type", oldValue == null ? "Added" : newValue == null ? "Deleted" : "Edited");
        out.put("Name", name);
        out.set("Fields", body.fields.isEmpty() ? null : body.fields);
        out.set("Objects", body.objects.isEmpty() ? null : body.objects);
        return out;
    }

    private static ObjectNode primitiveList(String name, JsonNode oldValue, JsonNode newValue)
    {
        Set<String> oldSet = new LinkedHashSet<>();
        Set<String> newSet = new LinkedHashSet<>();
        if (oldValue != null) {
            oldValue.forEach(v -> oldSet.add(v.asText()));
        }
        if (newValue != null) {
            newValue.forEach(v -> newSet.add(v.asText()));
        }
        if (oldSet.equals(newSet)) {
            return null;
        }
        ArrayNode fields = Json.array();
        for (String value : new TreeSet<>(oldSet)) {
            if (!newSet.contains(value)) {
                fields.add(field(name, Json.F.textNode(value), null));
            }
        }
        for (String value : new TreeSet<>(newSet)) {
            if (!oldSet.contains(value)) {
                fields.add(field(name, null, Json.F.textNode(value)));
            }
        }
        ObjectNode out = Json.object();
        out.put("Type", oldValue == null || oldValue.isEmpty() ? "Added" : newValue == null || newValue.isEmpty() ? "Deleted" : "Edited");
        out.put("Name", name);
        out.set("Fields", fields);
        out.putNull("Objects");
        return out;
    }

    private static ObjectNode field(String name, JsonNode oldValue, JsonNode newValue)
    {
        ObjectNode out = Json.object();
        out.put("Type", oldValue == null ? "Added" : newValue == null ? "Deleted" : "Edited");
        out.put("Name", name);
        out.put("Old", oldValue == null ? "" : oldValue.asText());
        out.put("New", newValue == null ? "" : newValue.asText());
        out.putNull("Annotations");
        return out;
    }

    private static void addNames(Set<String> names, JsonNode node)
    {
        if (node != null && node.isObject()) {
            node.fieldNames().forEachRemaining(names::add);
        }
    }

    private static JsonNode value(JsonNode node, String name)
    {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private static JsonNode element(JsonNode array, int i)
    {
        return array == null || i >= array.size() ? null : array.get(i);
    }

    private static boolean isStringMap(JsonNode node)
    {
        if (!node.isObject()) {
            return false;
        }
        Iterator<JsonNode> values = node.elements();
        while (values.hasNext()) {
            if (!values.next().isTextual()) {
                return false;
            }
        }
        return true;
    }
}
