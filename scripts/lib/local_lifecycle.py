#!/usr/bin/env python3
"""The local stack's Auto Scaling side of drain path 1 (run by the venv's python, which has boto3).

  local_lifecycle.py setup --endpoint URL [--nomad URL]
      creates, unless they exist, the lifecycle hook's SQS queue, a launch template and an Auto
      Scaling group of 3 instances in moto, and (every run) puts the group's terminating lifecycle
      hook through the stand-in, which must see it. Prints QUEUE_URL=... and INSTANCE_IDS=a,b,c (the
      group's InService instances, for the Nomad clients' meta.instance_id). With --nomad, warns
      when the Nomad clients running there carry other instance ids.

  local_lifecycle.py terminate [client-N | i-...] [--leave-drained] [--timeout 20m]
      (environment: ORCHESTRATOR_URL, ORCHESTRATOR_TOKEN, NOMAD_ADDR, AWS_ENDPOINT_URL, from .local/env)
      terminates the instance of a local Nomad node through the Auto Scaling group, as the group
      would (TerminateInstanceInAutoScalingGroup, capacity kept), and follows the drain: the
      stand-in's Auto Scaling calls, the affected clusters' events and the Nomad node, until the
      instance is terminated. Without an argument: the first node that runs a Trino worker and no
      coordinator. Then, unless --leave-drained, the drained client plays the instance the group
      launched in its place: its meta.instance_id becomes the new instance's and it is eligible again.
"""

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import boto3

GROUP = "local-nomad-clients"
HOOK = "local-nomad-clients-drain"
QUEUE = "local-lifecycle-hooks"
LAUNCH_TEMPLATE = "local-nomad-client"
CAPACITY = 3
HEARTBEAT_TIMEOUT_SECONDS = 300
STANDIN_ACTIONS = "/lifecycle-standin/actions"


def fail(message: str) -> None:
    print(f"[terminate] ERROR: {message}", file=sys.stderr)
    sys.exit(1)


def aws(service: str, endpoint: str) -> Any:
    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1")
    return session.client(service, endpoint_url=endpoint)


def http_json(method: str, url: str, token: str | None = None, body: Any = None, timeout: float = 15) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def in_service(autoscaling: Any) -> list[str]:
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]
    if not groups:
        return []
    return sorted(i["InstanceId"] for i in groups[0]["Instances"] if i["LifecycleState"] == "InService")


# --- setup -----------------------------------------------------------------------------------------

def setup(args: argparse.Namespace) -> None:
    sqs, ec2, autoscaling = aws("sqs", args.endpoint), aws("ec2", args.endpoint), aws("autoscaling", args.endpoint)
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    templates = ec2.describe_launch_templates(Filters=[{"Name": "launch-template-name", "Values": [LAUNCH_TEMPLATE]}])["LaunchTemplates"]
    if not templates:
        # moto's own sample image id; nothing boots: the Nomad clients on 127.0.0.1 play these instances
        ec2.create_launch_template(LaunchTemplateName=LAUNCH_TEMPLATE, LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "m6i.2xlarge"})
    if not autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])["AutoScalingGroups"]:
        autoscaling.create_auto_scaling_group(AutoScalingGroupName=GROUP, LaunchTemplate={"LaunchTemplateName": LAUNCH_TEMPLATE},
                                              MinSize=CAPACITY, MaxSize=CAPACITY, DesiredCapacity=CAPACITY, AvailabilityZones=["us-east-1a"])
        print(f"[local] created Auto Scaling group {GROUP} ({CAPACITY} instances) in moto", file=sys.stderr)
    # every run: PutLifecycleHook is an upsert, and the stand-in keeps what it saw in memory only
    autoscaling.put_lifecycle_hook(AutoScalingGroupName=GROUP, LifecycleHookName=HOOK, LifecycleTransition="autoscaling:EC2_INSTANCE_TERMINATING",
                                   NotificationTargetARN=queue_arn, RoleARN="arn:aws:iam::123456789012:role/local-lifecycle-hooks",
                                   HeartbeatTimeout=HEARTBEAT_TIMEOUT_SECONDS, DefaultResult="CONTINUE",
                                   NotificationMetadata=json.dumps({"cluster-pool": "local"}))
    instances = in_service(autoscaling)
    if len(instances) != CAPACITY:
        fail(f"Auto Scaling group {GROUP} has {len(instances)} InService instances, not {CAPACITY}: {instances}")
    if args.nomad:
        warn_if_nomad_differs(args.nomad, instances)
    print(f"QUEUE_URL={queue_url}")
    print(f"INSTANCE_IDS={','.join(instances)}")


def warn_if_nomad_differs(nomad: str, instances: list[str]) -> None:
    try:
        nodes = nomad_nodes(nomad)
    except (urllib.error.URLError, OSError):
        return  # not running yet: it starts with these ids
    carried = sorted(node["instance_id"] for node in nodes if node["instance_id"] and node["status"] == "ready")
    if carried != instances:
        print(f"[local] WARNING: the running Nomad clients carry instance ids {carried}, the Auto Scaling group's InService instances are {instances} "
              "(moto restarted, or a client left drained with --leave-drained): lifecycle messages for the others find no node; "
              "scripts/stop-local.sh then scripts/run-local.sh starts both afresh", file=sys.stderr)


# --- terminate -------------------------------------------------------------------------------------

def nomad_nodes(nomad: str) -> list[dict[str, Any]]:
    nodes = []
    for stub in http_json("GET", nomad + "/v1/nodes"):
        node = http_json("GET", nomad + "/v1/node/" + stub["ID"])
        nodes.append({"id": node["ID"], "name": node["Name"], "status": node["Status"], "instance_id": (node.get("Meta") or {}).get("instance_id"),
                      "eligibility": node["SchedulingEligibility"], "drain": bool(node.get("DrainStrategy")) or node.get("Drain", False)})
    return sorted(nodes, key=lambda node: node["name"])


def running_allocations(nomad: str, node_id: str) -> list[dict[str, Any]]:
    return [alloc for alloc in http_json("GET", f"{nomad}/v1/node/{node_id}/allocations")
            if alloc["ClientStatus"] == "running" and alloc["DesiredStatus"] == "run"]


def describe(alloc: dict[str, Any]) -> str:
    return f"{alloc['JobID']}/{alloc['TaskGroup']} ({alloc['ID'][:8]})"


def choose(nomad: str, nodes: list[dict[str, Any]], wanted: str | None) -> dict[str, Any]:
    if wanted:
        for node in nodes:
            if wanted in (node["name"], node["instance_id"], node["id"]):
                return node
        fail(f"no local Nomad node is named or carries the instance id '{wanted}'; the nodes: "
             + ", ".join(f"{n['name']} ({n['instance_id']})" for n in nodes))
    for node in nodes:
        groups = {alloc["TaskGroup"] for alloc in running_allocations(nomad, node["id"])}
        if node["eligibility"] == "eligible" and "workers" in groups and "coordinator" not in groups:
            return node
    fail("no eligible node runs a Trino worker without a coordinator; name one: client-1, client-2 or client-3")
    raise AssertionError


class Walk:
    def __init__(self, args: argparse.Namespace):
        self.orchestrator = env("ORCHESTRATOR_URL")
        self.token = env("ORCHESTRATOR_TOKEN")
        self.nomad = env("NOMAD_ADDR")
        self.endpoint = env("AWS_ENDPOINT_URL")
        self.autoscaling = aws("autoscaling", self.endpoint)
        self.args = args
        self.started = time.monotonic()
        self.seen_events: dict[str, set[str]] = {}
        self.seen_actions = 0
        self.node_state: str | None = None

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {text}", flush=True)

    def clusters(self) -> list[str]:
        return [cluster["name"] for cluster in http_json("GET", self.orchestrator + "/v1/clusters", self.token).get("clusters", [])]

    def events(self, cluster: str) -> list[dict[str, Any]]:
        return http_json("GET", f"{self.orchestrator}/v1/clusters/{urllib.parse.quote(cluster)}/events", self.token).get("events", [])

    def actions(self, instance_id: str) -> list[dict[str, Any]]:
        return http_json("GET", f"{self.endpoint}{STANDIN_ACTIONS}?instance_id={instance_id}")["actions"]

    def run(self) -> int:
        nodes = nomad_nodes(self.nomad)
        node = choose(self.nomad, nodes, self.args.target)
        instance_id = node["instance_id"]
        if not instance_id or instance_id not in in_service(self.autoscaling):
            fail(f"{node['name']} carries instance id {instance_id}, which is not InService in the Auto Scaling group {GROUP} "
                 f"(its instances: {in_service(self.autoscaling)}); was it terminated already?")
        before = running_allocations(self.nomad, node["id"])
        print(f"Terminating {instance_id}: Nomad node {node['name']} ({node['id'][:8]}), running "
              + (", ".join(describe(alloc) for alloc in before) or "nothing"), flush=True)
        if not any(alloc["JobID"].startswith("trino-") for alloc in before):
            print("  (no Trino allocation on it: the orchestrator completes the action at once, and no cluster gets an event)", flush=True)
        jobs = sorted({alloc["JobID"] for alloc in before if alloc["TaskGroup"] == "workers"})
        allocations_before = {job: {alloc["ID"] for alloc in http_json("GET", f"{self.nomad}/v1/job/{job}/allocations")} for job in jobs}
        clusters = self.clusters()
        for cluster in clusters:
            self.seen_events[cluster] = {key(event) for event in self.events(cluster)}

        activity = self.autoscaling.terminate_instance_in_auto_scaling_group(InstanceId=instance_id, ShouldDecrementDesiredCapacity=False)["Activity"]
        self.say(f"Auto Scaling: TerminateInstanceInAutoScalingGroup {instance_id} (ShouldDecrementDesiredCapacity=false): {activity['StatusCode']}")

        deadline = time.monotonic() + self.args.timeout
        completed = None
        while time.monotonic() < deadline:
            completed = self.poll(instance_id, node["id"], clusters) or completed
            if self.terminated(instance_id):
                # the last events (the completion's) are written right after the call
                time.sleep(1)
                completed = self.poll(instance_id, node["id"], clusters) or completed
                break
            time.sleep(1)
        else:
            fail(f"the instance was not terminated within {self.args.timeout:.0f}s; see the events (GET /v1/clusters/<name>/events) and .local/logs/")

        after = running_allocations(self.nomad, node["id"])
        self.say(f"Nomad node {node['name']}: " + self.node_text(node["id"]) + "; running on it now: "
                 + (", ".join(describe(alloc) for alloc in after) or "nothing"))
        for job in jobs:
            for alloc in http_json("GET", f"{self.nomad}/v1/job/{job}/allocations"):
                if alloc["ID"] not in allocations_before[job] and alloc["TaskGroup"] == "workers" and alloc["DesiredStatus"] == "run":
                    self.say(f"Nomad placed a new {describe(alloc)} on {alloc['NodeName']} ({alloc['ClientStatus']})")
        self.replace(node, instance_id)
        if completed != "CONTINUE":
            print(f"[terminate] the lifecycle action was not completed with CONTINUE (completion: {completed or 'none, the heartbeat timeout passed'})", file=sys.stderr)
            return 1
        return 0

    def poll(self, instance_id: str, node_id: str, clusters: list[str]) -> str | None:
        result = None
        actions = self.actions(instance_id)
        for action in actions[self.seen_actions:]:
            fields = [action["action"]] + ([action["result"]] if action.get("result") else []) + [action["answer"]]
            self.say("stand-in: " + ": ".join(fields))
        self.seen_actions = len(actions)
        for action in actions:
            if action["action"] == "CompleteLifecycleAction" and action["answer"] == "ok":
                result = action["result"]
        for cluster in clusters:
            seen = self.seen_events.setdefault(cluster, set())
            for event in self.events(cluster):
                if key(event) not in seen:
                    seen.add(key(event))
                    self.say(f"event {cluster} {event['type']}: {event['message']}")
        state = self.node_text(node_id)
        if state != self.node_state:
            self.say(f"Nomad node: {state}")
            self.node_state = state
        return result

    def node_text(self, node_id: str) -> str:
        node = http_json("GET", f"{self.nomad}/v1/node/{node_id}")
        drain = "draining" if node.get("DrainStrategy") else "not draining"
        return f"{node['SchedulingEligibility']}, {drain}, {len(running_allocations(self.nomad, node_id))} running allocation(s)"

    def terminated(self, instance_id: str) -> bool:
        return any(action["action"] == "Terminated" for action in self.actions(instance_id))

    def replace(self, node: dict[str, Any], old: str) -> None:
        known = {n["instance_id"] for n in nomad_nodes(self.nomad)}
        launched = [i for i in in_service(self.autoscaling) if i not in known and i != old]
        if self.args.leave_drained:
            self.say(f"Auto Scaling group: InService {in_service(self.autoscaling)}; {node['name']} stays drained and ineligible (--leave-drained)")
            return
        if len(launched) != 1:
            self.say(f"Auto Scaling group: InService {in_service(self.autoscaling)}; no single new instance for {node['name']} to play: it stays drained")
            return
        http_json("POST", f"{self.nomad}/v1/client/metadata?node_id={node['id']}", body={"Meta": {"instance_id": launched[0]}})
        # the client applies its new meta at once but tells the servers with its next node update: wait for that,
        # so that the node is found by the new id (by the orchestrator too) once this says so
        deadline = time.monotonic() + 60
        while (http_json("GET", f"{self.nomad}/v1/node/{node['id']}").get("Meta") or {}).get("instance_id") != launched[0]:
            if time.monotonic() > deadline:
                fail(f"Nomad's servers do not show {node['name']}'s meta.instance_id={launched[0]} after 60 s; it stays drained")
            time.sleep(0.5)
        http_json("POST", f"{self.nomad}/v1/node/{node['id']}/eligibility", body={"NodeID": node["id"], "Eligibility": "eligible"})
        self.say(f"Auto Scaling group launched {launched[0]} to keep {CAPACITY} instances; locally {node['name']} plays it: "
                 f"meta.instance_id={launched[0]}, eligible again")


def key(event: dict[str, Any]) -> str:
    return json.dumps([event.get("at"), event.get("type"), event.get("message")])


def env(name: str) -> str:
    import os

    value = os.environ.get(name)
    if not value:
        fail(f"{name} is not set: source .local/env (written by scripts/run-local.sh)")
    return value


def duration(text: str) -> float:
    match = re.fullmatch(r"(\d+)([sm])", text)
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a duration such as 90s or 20m")
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="local_lifecycle.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    setup_parser = commands.add_parser("setup")
    setup_parser.add_argument("--endpoint", required=True, help="the lifecycle stand-in's URL (in front of moto)")
    setup_parser.add_argument("--nomad", help="Nomad's URL, to compare its clients' instance ids")
    terminate_parser = commands.add_parser("terminate")
    terminate_parser.add_argument("target", nargs="?", help="client-N, an instance id or a node id (default: a node with a Trino worker and no coordinator)")
    terminate_parser.add_argument("--leave-drained", action="store_true", help="keep the node drained and ineligible afterwards")
    terminate_parser.add_argument("--timeout", type=duration, default=duration("20m"), help="give up after this long (default 20m)")
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup(args)
        return 0
    try:
        return Walk(args).run()
    except urllib.error.HTTPError as e:
        fail(f"{e.url} answered {e.code}: {e.read().decode(errors='replace')[:300]}")
    except urllib.error.URLError as e:
        fail(f"cannot reach the local stack ({e.reason}): is it up? scripts/run-local.sh")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
