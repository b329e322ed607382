"""The stand-in against a real (in-process) moto server, through boto3 as the AWS SDK calls it.

Run: $PRESTO_ORCH_VENV/bin/python -m unittest discover -s simulators/autoscaling-lifecycle-standin
"""

import json
import socket
import threading
import unittest
import urllib.request

import boto3
import botocore.exceptions
from moto.server import ThreadedMotoServer

import lifecycle_standin

GROUP = "nomad-clients"
HOOK = "nomad-clients-drain"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ManualTimers:
    """Timers that fire only when the test says so."""

    def __init__(self):
        self.armed = []

    def __call__(self, seconds, callback):
        timer = ManualTimer(seconds, callback)
        self.armed.append(timer)
        return timer

    def live(self):
        return [timer for timer in self.armed if not timer.cancelled]


class ManualTimer:
    def __init__(self, seconds, callback):
        self.seconds = seconds
        self.callback = callback
        self.cancelled = False

    def cancel(self):
        self.cancelled = True

    def fire(self):
        assert not self.cancelled
        self.callback()


class TestLifecycleStandin(unittest.TestCase):
    def setUp(self):
        moto_port = free_port()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
        self.moto.start()
        moto_url = f"http://127.0.0.1:{moto_port}"
        # in-process moto servers share their backends: start from nothing
        urllib.request.urlopen(urllib.request.Request(moto_url + "/moto-api/reset", method="POST")).read()
        self.timers = ManualTimers()
        autoscaling, sqs = lifecycle_standin.clients(moto_url, "us-east-1")
        self.standin = lifecycle_standin.Standin(autoscaling, sqs, timers=self.timers)
        self.server = lifecycle_standin.serve("127.0.0.1", 0, moto_url, "us-east-1", self.standin)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1")
        self.autoscaling = session.client("autoscaling", endpoint_url=endpoint)
        self.sqs = session.client("sqs", endpoint_url=endpoint)
        self.ec2 = session.client("ec2", endpoint_url=endpoint)
        self.queue = self.sqs.create_queue(QueueName="lifecycle")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.ec2.create_launch_template(LaunchTemplateName="nomad-client", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
        self.autoscaling.create_auto_scaling_group(AutoScalingGroupName=GROUP, LaunchTemplate={"LaunchTemplateName": "nomad-client"},
                                                   MinSize=2, MaxSize=2, DesiredCapacity=2, AvailabilityZones=["us-east-1a"])
        self.autoscaling.put_lifecycle_hook(AutoScalingGroupName=GROUP, LifecycleHookName=HOOK, LifecycleTransition="autoscaling:EC2_INSTANCE_TERMINATING",
                                            NotificationTargetARN=queue_arn, RoleARN="arn:aws:iam::123456789012:role/hooks", HeartbeatTimeout=300,
                                            DefaultResult="CONTINUE", NotificationMetadata='{"pool":"workers"}')
        self.instances = sorted(i["InstanceId"] for i in self.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"][0]["Instances"])

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.moto.stop()

    def receive(self):
        messages = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        for message in messages:
            self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(message["Body"]) for message in messages]

    def group_instances(self):
        return sorted(i["InstanceId"] for i in self.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"][0]["Instances"])

    def test_put_hook_sends_a_test_notification(self):
        [message] = self.receive()
        self.assertEqual(message["Event"], "autoscaling:TEST_NOTIFICATION")
        self.assertEqual(message["AutoScalingGroupName"], GROUP)

    def test_terminate_waits_for_continue_then_moto_terminates_and_replaces(self):
        self.receive()
        victim = self.instances[0]
        activity = self.autoscaling.terminate_instance_in_auto_scaling_group(InstanceId=victim, ShouldDecrementDesiredCapacity=False)["Activity"]
        self.assertEqual(activity["StatusCode"], "InProgress")
        [message] = self.receive()
        self.assertEqual(message["LifecycleTransition"], "autoscaling:EC2_INSTANCE_TERMINATING")
        self.assertEqual(message["EC2InstanceId"], victim)
        self.assertEqual(message["AutoScalingGroupName"], GROUP)
        self.assertEqual(message["LifecycleHookName"], HOOK)
        self.assertEqual(message["NotificationMetadata"], '{"pool":"workers"}')
        self.assertEqual(message["AccountId"], "123456789012")
        # held in Terminating:Wait: moto still has it
        self.assertIn(victim, self.group_instances())
        self.assertEqual([timer.seconds for timer in self.timers.live()], [300])

        self.autoscaling.record_lifecycle_action_heartbeat(AutoScalingGroupName=GROUP, LifecycleHookName=HOOK, LifecycleActionToken=message["LifecycleActionToken"])
        self.assertEqual(len(self.timers.live()), 1, "a heartbeat re-arms the one timeout")
        self.autoscaling.complete_lifecycle_action(AutoScalingGroupName=GROUP, LifecycleHookName=HOOK,
                                                   LifecycleActionToken=message["LifecycleActionToken"], LifecycleActionResult="CONTINUE")

        after = self.group_instances()
        self.assertNotIn(victim, after)
        self.assertEqual(len(after), 2, "no decrement: moto launches a replacement")
        self.assertEqual(self.timers.live(), [])
        actions = [(entry["action"], entry.get("result"), entry["answer"]) for entry in self.standin.recorded(victim)]
        self.assertEqual(actions, [
            ("TerminateInstanceInAutoScalingGroup", None, "Terminating:Wait, message sent to lifecycle"),
            ("RecordLifecycleActionHeartbeat", None, "ok"),
            ("CompleteLifecycleAction", "CONTINUE", "ok"),
            ("Terminated", "CONTINUE", "terminated in moto after CompleteLifecycleAction"),
        ])

        # a second completion finds no action, as AWS answers an expired or finished one
        with self.assertRaises(botocore.exceptions.ClientError) as error:
            self.autoscaling.complete_lifecycle_action(AutoScalingGroupName=GROUP, LifecycleHookName=HOOK, InstanceId=victim, LifecycleActionResult="CONTINUE")
        self.assertEqual(error.exception.response["Error"]["Code"], "ValidationError")
        self.assertEqual(error.exception.response["Error"]["Message"], "No active Lifecycle Action found with instance ID " + victim)

    def test_complete_by_instance_id_and_bad_result(self):
        self.receive()
        victim = self.instances[1]
        self.autoscaling.terminate_instance_in_auto_scaling_group(InstanceId=victim, ShouldDecrementDesiredCapacity=True)
        with self.assertRaises(botocore.exceptions.ClientError) as error:
            self.autoscaling.complete_lifecycle_action(AutoScalingGroupName=GROUP, LifecycleHookName=HOOK, InstanceId=victim, LifecycleActionResult="MAYBE")
        self.assertIn("CONTINUE or ABANDON", error.exception.response["Error"]["Message"])
        self.assertIn(victim, self.group_instances())
        self.autoscaling.complete_lifecycle_action(AutoScalingGroupName=GROUP, LifecycleHookName=HOOK, InstanceId=victim, LifecycleActionResult="ABANDON")
        self.assertEqual(self.group_instances(), [self.instances[0]], "decremented: no replacement")

    def test_heartbeat_timeout_applies_the_default_result(self):
        self.receive()
        victim = self.instances[0]
        self.autoscaling.terminate_instance_in_auto_scaling_group(InstanceId=victim, ShouldDecrementDesiredCapacity=False)
        [timer] = self.timers.live()
        timer.fire()
        self.assertNotIn(victim, self.group_instances())
        self.assertEqual([(entry["action"], entry.get("result")) for entry in self.standin.recorded(victim)][-2:],
                         [("HeartbeatTimeout", "CONTINUE"), ("Terminated", "CONTINUE")])
        with self.assertRaises(botocore.exceptions.ClientError) as error:
            self.autoscaling.record_lifecycle_action_heartbeat(AutoScalingGroupName=GROUP, LifecycleHookName=HOOK, InstanceId=victim)
        self.assertIn("No active Lifecycle Action found", error.exception.response["Error"]["Message"])

    def test_unknown_token_and_other_calls_pass_to_moto(self):
        with self.assertRaises(botocore.exceptions.ClientError) as error:
            self.autoscaling.complete_lifecycle_action(AutoScalingGroupName=GROUP, LifecycleHookName=HOOK, LifecycleActionToken="00000000-0000-4000-8000-000000000000", LifecycleActionResult="CONTINUE")
        self.assertEqual(error.exception.response["Error"]["Message"], "No active Lifecycle Action found with token 00000000-0000-4000-8000-000000000000")
        hooks = self.autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=GROUP)["LifecycleHooks"]
        self.assertEqual([hook["LifecycleHookName"] for hook in hooks], [HOOK])


if __name__ == "__main__":
    unittest.main()
