package io.prestoorchestrator.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Ignored;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Malformed;
import io.prestoorchestrator.lifecycle.LifecycleMessage.SubscriptionConfirmation;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Terminating;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Test;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses the three shapes a lifecycle hook reaches the orchestrator in: the hook's own JSON (SQS
 * target), the same JSON as a string in an SNS envelope's {@code Message}, and an EventBridge event
 * ({@code source: aws.autoscaling}) with the data in {@code detail}. Pure: no I/O, never throws.
 */
public final class LifecycleMessages
{
    static final String TEST_NOTIFICATION = "autoscaling:TEST_NOTIFICATION";
    static final String EVENTBRIDGE_TERMINATE = "EC2 Instance-terminate Lifecycle Action";
    static final String EVENTBRIDGE_LAUNCH = "EC2 Instance-launch Lifecycle Action";
    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8,32}");
    private static final int MAX_BODY = 256 * 1024;
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private LifecycleMessages() {}

    public static LifecycleMessage parse(String body)
    {
        if (body == null || body.isBlank()) {
            return new Malformed("/", "the body is empty");
        }
        if (body.length() > MAX_BODY) {
            return new Malformed("/", "the body is larger than " + MAX_BODY + " characters (SQS's limit)");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        }
        catch (JsonProcessingException e) {
            return new Malformed("/", "the body is not JSON (" + e.getOriginalMessage().replaceAll("'[^']*'", "'...'") + ")");
        }
        if (root == null || !root.isObject()) {
            return new Malformed("/", "the body must be a JSON object");
        }
        return parse(root, "");
    }

    private static LifecycleMessage parse(JsonNode root, String pointer)
    {
        JsonNode type = root.get("Type");
        if (type != null && type.isTextual() && root.has("TopicArn")) {
            return sns(root, type.asText(), pointer);
        }
        if (root.has("detail-type") || root.has("source") && root.has("detail")) {
            return eventBridge(root, pointer);
        }
        JsonNode event = root.get("Event");
        if (event != null && TEST_NOTIFICATION.equals(event.asText())) {
            return new Test(text(root, "AutoScalingGroupName").orElse("unknown"));
        }
        if (root.has("LifecycleTransition")) {
            return hook(root, pointer, "sqs");
        }
        if (event != null && event.isTextual()) {
            return new Ignored("Auto Scaling notification '" + abbreviate(event.asText()) + "' is not a lifecycle action");
        }
        return new Malformed(pointer.isEmpty() ? "/" : pointer, "not a lifecycle hook message: no LifecycleTransition, SNS Type or EventBridge detail-type");
    }

    private static LifecycleMessage sns(JsonNode root, String type, String pointer)
    {
        switch (type) {
            case "Notification" -> {
                Optional<String> message = text(root, "Message");
                if (message.isEmpty()) {
                    return new Malformed(pointer + "/Message", "the SNS notification has no Message string");
                }
                JsonNode inner;
                try {
                    inner = MAPPER.readTree(message.get());
                }
                catch (JsonProcessingException e) {
                    return new Malformed(pointer + "/Message", "the SNS Message is not JSON");
                }
                if (inner == null || !inner.isObject()) {
                    return new Malformed(pointer + "/Message", "the SNS Message must be a JSON object");
                }
                LifecycleMessage parsed = parse(inner, pointer + "/Message");
                return parsed instanceof Terminating terminating ? new Terminating(terminating.action(), "sns") : parsed;
            }
            case "SubscriptionConfirmation" -> {
                Optional<String> topic = text(root, "TopicArn");
                Optional<String> url = text(root, "SubscribeURL");
                if (url.isEmpty()) {
                    return new Malformed(pointer + "/SubscribeURL", "the SNS SubscriptionConfirmation has no SubscribeURL");
                }
                return new SubscriptionConfirmation(topic.orElse(""), url.get());
            }
            case "UnsubscribeConfirmation" -> {
                return new Ignored("SNS UnsubscribeConfirmation");
            }
            default -> {
                return new Malformed(pointer + "/Type", "unknown SNS message type (expected Notification or SubscriptionConfirmation)");
            }
        }
    }

    private static LifecycleMessage eventBridge(JsonNode root, String pointer)
    {
        Optional<String> source = text(root, "source");
        Optional<String> detailType = text(root, "detail-type");
        if (source.isEmpty() || !source.get().equals("aws.autoscaling")) {
            return new Ignored("EventBridge event from source '" + abbreviate(source.orElse("")) + "', not aws.autoscaling");
        }
        if (detailType.isEmpty()) {
            return new Malformed(pointer + "/detail-type", "the EventBridge event has no detail-type");
        }
        if (detailType.get().equals(EVENTBRIDGE_LAUNCH)) {
            return new Ignored("launching lifecycle action (only terminations are drained)");
        }
        if (!detailType.get().equals(EVENTBRIDGE_TERMINATE)) {
            return new Ignored("EventBridge detail-type '" + abbreviate(detailType.get()) + "' is not a terminate lifecycle action");
        }
        JsonNode detail = root.get("detail");
        if (detail == null || !detail.isObject()) {
            return new Malformed(pointer + "/detail", "the EventBridge event has no detail object");
        }
        LifecycleMessage parsed = hook(detail, pointer + "/detail", "eventbridge");
        if (parsed instanceof Terminating terminating && !terminating.action().terminating()) {
            return new Malformed(pointer + "/detail/LifecycleTransition", "a terminate lifecycle action event must carry " + LifecycleAction.TERMINATING);
        }
        return parsed;
    }

    private static LifecycleMessage hook(JsonNode node, String pointer, String via)
    {
        Optional<String> transition = text(node, "LifecycleTransition");
        if (transition.isEmpty()) {
            return new Malformed(pointer + "/LifecycleTransition", "is missing or not a string");
        }
        if (!transition.get().equals(LifecycleAction.TERMINATING)) {
            // launching actions belong to whoever set up a launch hook; only terminations are drained
            return new Ignored("lifecycle transition '" + abbreviate(transition.get()) + "' is not " + LifecycleAction.TERMINATING);
        }
        for (String field : new String[] {"AutoScalingGroupName", "LifecycleHookName", "EC2InstanceId"}) {
            if (text(node, field).isEmpty()) {
                return new Malformed(pointer + "/" + field, "is missing or not a string");
            }
        }
        String instanceId = text(node, "EC2InstanceId").get();
        if (!INSTANCE_ID.matcher(instanceId).matches()) {
            return new Malformed(pointer + "/EC2InstanceId", "is not an EC2 instance id (i- and 8 to 32 hex digits)");
        }
        LifecycleAction action = new LifecycleAction(
                text(node, "AutoScalingGroupName").get(),
                text(node, "LifecycleHookName").get(),
                instanceId,
                text(node, "LifecycleActionToken"),
                transition.get());
        return new Terminating(action, via);
    }

    private static Optional<String> text(JsonNode node, String field)
    {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().isBlank() ? Optional.of(value.asText()) : Optional.empty();
    }

    /** Values from the body are shown short and printable only, so a log line cannot be flooded or forged. */
    private static String abbreviate(String text)
    {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }
}
