package io.prestoorchestrator.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Ignored;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Malformed;
import io.prestoorchestrator.lifecycle.LifecycleMessage.SubscriptionConfirmation;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Terminating;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Test;
import io.prestoorchestrator.testing.TestingLifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestLifecycleMessages
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final LifecycleAction EXPECTED = new LifecycleAction("trino-workers", "trino-workers-drain", "i-0abc1234def567890",
            Optional.of("bd8e8f7e-2a5c-4a33-9b55-8a9b5b9c1e01"), LifecycleAction.TERMINATING);

    @org.junit.jupiter.api.Test
    void testDirectSqsMessage()
    {
        assertThat(LifecycleMessages.parse(resource("direct-terminating.json"))).isEqualTo(new Terminating(EXPECTED, "sqs"));
    }

    @org.junit.jupiter.api.Test
    void testSnsWrappedMessage()
    {
        assertThat(LifecycleMessages.parse(sns(resource("direct-terminating.json")))).isEqualTo(new Terminating(EXPECTED, "sns"));
    }

    @org.junit.jupiter.api.Test
    void testEventBridgeEvent()
    {
        assertThat(LifecycleMessages.parse(resource("eventbridge-terminating.json"))).isEqualTo(new Terminating(EXPECTED, "eventbridge"));
    }

    @org.junit.jupiter.api.Test
    void testEventBridgeEventThroughSns()
    {
        assertThat(LifecycleMessages.parse(sns(resource("eventbridge-terminating.json")))).isEqualTo(new Terminating(EXPECTED, "sns"));
    }

    @org.junit.jupiter.api.Test
    void testMissingTokenIdentifiesTheActionByInstance()
    {
        ObjectNode body = json(resource("direct-terminating.json"));
        body.remove("LifecycleActionToken");
        LifecycleMessage parsed = LifecycleMessages.parse(body.toString());
        assertThat(parsed).isInstanceOf(Terminating.class);
        assertThat(((Terminating) parsed).action().token()).isEmpty();
        assertThat(((Terminating) parsed).action().instanceId()).isEqualTo("i-0abc1234def567890");
    }

    @org.junit.jupiter.api.Test
    void testTestNotification()
    {
        assertThat(LifecycleMessages.parse(resource("test-notification.json"))).isEqualTo(new Test("trino-workers"));
        assertThat(LifecycleMessages.parse(sns(resource("test-notification.json")))).isEqualTo(new Test("trino-workers"));
    }

    @org.junit.jupiter.api.Test
    void testLaunchingTransitionsAreIgnored()
    {
        ObjectNode direct = json(resource("direct-terminating.json"));
        direct.put("LifecycleTransition", "autoscaling:EC2_INSTANCE_LAUNCHING");
        assertThat(LifecycleMessages.parse(direct.toString())).isInstanceOf(Ignored.class);
        assertThat(LifecycleMessages.parse(sns(direct.toString()))).isInstanceOf(Ignored.class);

        ObjectNode eventBridge = json(resource("eventbridge-terminating.json"));
        eventBridge.put("detail-type", "EC2 Instance-launch Lifecycle Action");
        ((ObjectNode) eventBridge.get("detail")).put("LifecycleTransition", "autoscaling:EC2_INSTANCE_LAUNCHING");
        assertThat(LifecycleMessages.parse(eventBridge.toString())).isInstanceOf(Ignored.class);
    }

    @org.junit.jupiter.api.Test
    void testOtherEventsAreIgnored()
    {
        ObjectNode otherSource = json(resource("eventbridge-terminating.json"));
        otherSource.put("source", "aws.ec2");
        assertThat(LifecycleMessages.parse(otherSource.toString())).isInstanceOf(Ignored.class);

        ObjectNode otherType = json(resource("eventbridge-terminating.json"));
        otherType.put("detail-type", "EC2 Instance Terminate Successful");
        assertThat(LifecycleMessages.parse(otherType.toString())).isInstanceOf(Ignored.class);

        assertThat(LifecycleMessages.parse("{\"Event\":\"autoscaling:EC2_INSTANCE_TERMINATE\",\"AutoScalingGroupName\":\"trino-workers\"}"))
                .isInstanceOf(Ignored.class);
        assertThat(LifecycleMessages.parse("{\"Type\":\"UnsubscribeConfirmation\",\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:t\"}"))
                .isInstanceOf(Ignored.class);
    }

    @org.junit.jupiter.api.Test
    void testSubscriptionConfirmation()
    {
        String body = "{\"Type\":\"SubscriptionConfirmation\",\"MessageId\":\"m1\",\"Token\":\"2336412f37\",\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:lifecycle\","
                + "\"SubscribeURL\":\"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:lifecycle&Token=2336412f37\"}";
        assertThat(LifecycleMessages.parse(body)).isEqualTo(new SubscriptionConfirmation("arn:aws:sns:us-east-1:123456789012:lifecycle",
                "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:lifecycle&Token=2336412f37"));
    }

    @org.junit.jupiter.api.Test
    void testMalformedBodiesNameTheField()
    {
        assertMalformed(null, "/");
        assertMalformed("", "/");
        assertMalformed("not json at all", "/");
        assertMalformed("[1, 2]", "/");
        assertMalformed("\"just a string\"", "/");
        assertMalformed("{\"hello\":\"world\"}", "/");
        assertMalformed("{\"Type\":\"Notification\",\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\"}", "/Message");
        assertMalformed("{\"Type\":\"Notification\",\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\",\"Message\":\"{oops\"}", "/Message");
        assertMalformed("{\"Type\":\"Bogus\",\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\"}", "/Type");
        assertMalformed("{\"Type\":\"SubscriptionConfirmation\",\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\"}", "/SubscribeURL");

        for (String field : new String[] {"AutoScalingGroupName", "LifecycleHookName", "EC2InstanceId"}) {
            ObjectNode missing = json(resource("direct-terminating.json"));
            missing.remove(field);
            assertMalformed(missing.toString(), "/" + field);
            ObjectNode wrongType = json(resource("direct-terminating.json"));
            wrongType.put(field, 42);
            assertMalformed(wrongType.toString(), "/" + field);
        }
        ObjectNode badInstance = json(resource("direct-terminating.json"));
        badInstance.put("EC2InstanceId", "../../etc/passwd");
        assertMalformed(badInstance.toString(), "/EC2InstanceId");

        ObjectNode noDetail = json(resource("eventbridge-terminating.json"));
        noDetail.remove("detail");
        assertMalformed(noDetail.toString(), "/detail");

        ObjectNode detailMissingInstance = json(resource("eventbridge-terminating.json"));
        ((ObjectNode) detailMissingInstance.get("detail")).remove("EC2InstanceId");
        assertMalformed(detailMissingInstance.toString(), "/detail/EC2InstanceId");
        assertMalformed(sns(detailMissingInstance.toString()), "/Message/detail/EC2InstanceId");

        ObjectNode launchTypeTerminating = json(resource("eventbridge-terminating.json"));
        ((ObjectNode) launchTypeTerminating.get("detail")).put("LifecycleTransition", "autoscaling:SOMETHING_ELSE");
        assertThat(LifecycleMessages.parse(launchTypeTerminating.toString())).isInstanceOf(Ignored.class);
    }

    @org.junit.jupiter.api.Test
    void testMalformedReasonsDoNotEchoTheBody()
    {
        String secret = "AKIAIOSFODNN7EXAMPLE-super-secret-value";
        for (String body : new String[] {
                "{\"password\":\"" + secret + "\"}",
                "{\"Secret\":\"" + secret + "\" oops",
                "{\"Type\":\"Notification\",\"TopicArn\":\"t\",\"Message\":\"" + secret + "\"}",
                "{\"LifecycleTransition\":\"autoscaling:EC2_INSTANCE_TERMINATING\",\"AutoScalingGroupName\":\"g\",\"LifecycleHookName\":\"h\",\"EC2InstanceId\":\"" + secret + "\"}"}) {
            LifecycleMessage parsed = LifecycleMessages.parse(body);
            assertThat(parsed).isInstanceOf(Malformed.class);
            assertThat(parsed.toString()).doesNotContain(secret).doesNotContain("AKIA");
        }
    }

    @org.junit.jupiter.api.Test
    void testOversizedBody()
    {
        assertMalformed("{\"a\":\"" + "x".repeat(300 * 1024) + "\"}", "/");
    }

    private static void assertMalformed(String body, String field)
    {
        LifecycleMessage parsed = LifecycleMessages.parse(body);
        assertThat(parsed).as("%s", body == null ? "null" : body.substring(0, Math.min(200, body.length()))).isInstanceOf(Malformed.class);
        assertThat(((Malformed) parsed).field()).isEqualTo(field);
    }

    static String sns(String message)
    {
        ObjectNode envelope = MAPPER.createObjectNode()
                .put("Type", "Notification")
                .put("MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324")
                .put("TopicArn", "arn:aws:sns:us-east-1:123456789012:trino-lifecycle")
                .put("Subject", "Auto Scaling:  Lifecycle action 'TERMINATING' for instance i-0abc1234def567890 in progress.")
                .put("Message", message)
                .put("Timestamp", "2026-11-22T03:40:00.456Z")
                .put("SignatureVersion", "1")
                .put("Signature", "EXAMPLE")
                .put("SigningCertURL", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem")
                .put("UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe");
        return envelope.toString();
    }

    static String resource(String name)
    {
        return TestingLifecycle.message(name);
    }

    private static ObjectNode json(String text)
    {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
