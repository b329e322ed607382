#!/usr/bin/env python3
"""Auto Scaling lifecycle stand-in: the part of Auto Scaling's termination lifecycle hooks that moto
does not run, in front of moto, for the local stack only.

moto 5.2 stores a lifecycle hook (PutLifecycleHook) but never runs it: it answers a fixed
NotificationTargetARN, terminates an instance at once, sends no message, and has no
CompleteLifecycleAction and no RecordLifecycleActionHeartbeat (both answer 500). This process
listens where the AWS SDK is pointed, passes every request to moto unchanged, and stands in for
exactly these Auto Scaling calls:

  PutLifecycleHook          passed to moto, and its NotificationTargetARN, HeartbeatTimeout,
                            DefaultResult and NotificationMetadata remembered (AWS sends the
                            target a test notification when a hook is added: so does this)
  TerminateInstanceInAutoScalingGroup
                            of an instance whose group has a terminating hook: held in
                            Terminating:Wait and the hook's message put on its SQS queue (moto's
                            SQS), as AWS does; the instance is terminated in moto only when the
                            action completes, or when the heartbeat timeout passes (DefaultResult)
  CompleteLifecycleAction   answered here (by token or by instance id); then moto terminates the
                            instance (and launches a replacement unless the capacity was decremented)
  RecordLifecycleActionHeartbeat
                            answered here: the wait is extended by one heartbeat timeout, up to
                            min(100 x HeartbeatTimeout, 48 h) in all
  DeleteLifecycleHook       passed to moto, and forgotten here

An unknown action or token gets AWS's ValidationError "No active Lifecycle Action found ...".
Every call it answers is recorded: GET /lifecycle-standin/actions (JSON, oldest first;
?instance_id=i-... to filter). It is not Auto Scaling: launching hooks, scale-in by a lowered
desired capacity, warm pools and several hooks per transition are not run (moto does what it does).
"""

import argparse
import datetime
import http.client
import http.server
import json
import sys
import threading
import urllib.parse
import uuid
from typing import Any, Callable

import boto3

NAMESPACE = "http://autoscaling.amazonaws.com/doc/2011-01-01/"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"
GLOBAL_TIMEOUT_SECONDS = 48 * 3600
HOP_BY_HOP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "expect", "upgrade",
              "proxy-connection", "te", "trailer"}
ACTIONS_PATH = "/lifecycle-standin/actions"


def now_text(clock: Callable[[], datetime.datetime]) -> str:
    return clock().strftime("%Y-%m-%dT%H:%M:%S.") + f"{clock().microsecond // 1000:03d}Z"


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class AwsError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class Hook:
    def __init__(self, group: str, name: str, transition: str, target_arn: str, heartbeat_timeout: int,
                 default_result: str, metadata: str | None):
        self.group = group
        self.name = name
        self.transition = transition
        self.target_arn = target_arn
        self.heartbeat_timeout = heartbeat_timeout
        self.default_result = default_result
        self.metadata = metadata


class Pending:
    """An instance in Terminating:Wait."""

    def __init__(self, instance_id: str, hook: Hook, token: str, decrement: bool, deadline: datetime.datetime):
        self.instance_id = instance_id
        self.hook = hook
        self.token = token
        self.decrement = decrement
        self.deadline = deadline
        self.timer: Any = None


class Standin:
    """The lifecycle-hook state; moto does everything else. timers(seconds, callback) returns an object with cancel()."""

    def __init__(self, autoscaling: Any, sqs: Any, clock: Callable[[], datetime.datetime] | None = None,
                 timers: Callable[[float, Callable[[], None]], Any] | None = None):
        self.autoscaling = autoscaling
        self.sqs = sqs
        self.clock = clock or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self.timers = timers or start_timer
        self.lock = threading.RLock()
        self.hooks: dict[tuple[str, str], Hook] = {}
        self.pending: dict[str, Pending] = {}
        self.records: list[dict[str, Any]] = []

    # --- what the proxy asks ---

    def answers(self, action: str) -> bool:
        """Whether this stand-in answers the action itself (the others go to moto, some with a look afterwards)."""
        return action in ("TerminateInstanceInAutoScalingGroup", "CompleteLifecycleAction", "RecordLifecycleActionHeartbeat")

    def answer(self, action: str, params: dict[str, str]) -> str:
        """The XML result of an action this stand-in answers; raises AwsError."""
        if action == "TerminateInstanceInAutoScalingGroup":
            return self.terminate(params)
        if action == "CompleteLifecycleAction":
            return self.complete(params)
        return self.heartbeat(params)

    def after_moto(self, action: str, params: dict[str, str]) -> None:
        """Called once moto answered 200 to a request this stand-in passed on."""
        if action == "PutLifecycleHook":
            self.hook_put(params)
        elif action == "DeleteLifecycleHook":
            with self.lock:
                self.hooks.pop((params.get("AutoScalingGroupName", ""), params.get("LifecycleHookName", "")), None)

    # --- the actions ---

    def hook_put(self, params: dict[str, str]) -> None:
        hook = Hook(params["AutoScalingGroupName"], params["LifecycleHookName"], params.get("LifecycleTransition", ""),
                    params.get("NotificationTargetARN", ""), int(params.get("HeartbeatTimeout") or 3600),
                    params.get("DefaultResult") or "ABANDON", params.get("NotificationMetadata"))
        with self.lock:
            previous = self.hooks.get((hook.group, hook.name))
            self.hooks[(hook.group, hook.name)] = hook
        if hook.target_arn and (previous is None or previous.target_arn != hook.target_arn):
            account = self.account(hook.target_arn)
            self.send(hook.target_arn, {
                "AccountId": account,
                "RequestId": str(uuid.uuid4()),
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{self.region(hook.target_arn)}:{account}:autoScalingGroup:{uuid.uuid4()}"
                                       f":autoScalingGroupName/{hook.group}",
                "AutoScalingGroupName": hook.group,
                "Service": "AWS Auto Scaling",
                "Event": "autoscaling:TEST_NOTIFICATION",
                "Time": now_text(self.clock),
            })
            self.record("TestNotification", None, hook, answer="sent")

    def terminate(self, params: dict[str, str]) -> str:
        instance_id = params.get("InstanceId", "")
        decrement = params.get("ShouldDecrementDesiredCapacity", "").lower() == "true"
        found = self.autoscaling.describe_auto_scaling_instances(InstanceIds=[instance_id])["AutoScalingInstances"]
        if not found:
            raise AwsError(400, "ValidationError", f"Instance Id not found - No managed instance found for instance ID: {instance_id}")
        group = found[0]["AutoScalingGroupName"]
        with self.lock:
            if instance_id in self.pending:
                raise AwsError(400, "ValidationError", f"The instance {instance_id} is already in Terminating:Wait")
            hooks = [hook for hook in self.hooks.values() if hook.group == group and hook.transition == TERMINATING]
        if not hooks:
            in_moto = [hook["LifecycleHookName"] for hook in self.autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=group)["LifecycleHooks"]
                       if hook.get("LifecycleTransition") == TERMINATING]
            if in_moto:
                raise AwsError(400, "ValidationError", f"moto has the terminating lifecycle hook {in_moto[0]} of group {group}, but this stand-in "
                                                       "did not see its PutLifecycleHook (was it restarted?): put the hook again through the stand-in")
            # no hook: Auto Scaling terminates at once, as moto does
            activity = self.autoscaling.terminate_instance_in_auto_scaling_group(InstanceId=instance_id, ShouldDecrementDesiredCapacity=decrement)["Activity"]
            self.record("TerminateInstanceInAutoScalingGroup", instance_id, None, group=group, answer="terminated (no lifecycle hook)")
            return self.activity_xml(instance_id, group, activity.get("ActivityId", str(uuid.uuid4())), "Successful")
        hook = hooks[0]
        token = str(uuid.uuid4())
        deadline = self.clock() + datetime.timedelta(seconds=min(100 * hook.heartbeat_timeout, GLOBAL_TIMEOUT_SECONDS))
        pending = Pending(instance_id, hook, token, decrement, deadline)
        with self.lock:
            self.pending[instance_id] = pending
            self.arm(pending)
        message = {
            "Origin": "AutoScalingGroup",
            "Destination": "EC2",
            "LifecycleHookName": hook.name,
            "AccountId": self.account(hook.target_arn),
            "RequestId": str(uuid.uuid4()),
            "LifecycleTransition": TERMINATING,
            "AutoScalingGroupName": group,
            "Service": "AWS Auto Scaling",
            "Time": now_text(self.clock),
            "EC2InstanceId": instance_id,
            "LifecycleActionToken": token,
        }
        if hook.metadata is not None:
            message["NotificationMetadata"] = hook.metadata
        try:
            self.send(hook.target_arn, message)
        except Exception:
            with self.lock:
                self.pending.pop(instance_id, None)
                if pending.timer:
                    pending.timer.cancel()
            raise
        self.record("TerminateInstanceInAutoScalingGroup", instance_id, hook,
                    answer=f"Terminating:Wait, message sent to {hook.target_arn.rsplit(':', 1)[-1]}",
                    decrement=decrement)
        return self.activity_xml(instance_id, group, str(uuid.uuid4()), "InProgress")

    def complete(self, params: dict[str, str]) -> str:
        result = params.get("LifecycleActionResult", "")
        pending = self.find(params, "CompleteLifecycleAction")
        if result not in ("CONTINUE", "ABANDON"):
            self.record("CompleteLifecycleAction", pending.instance_id, pending.hook, result=result, answer="ValidationError: bad result")
            raise AwsError(400, "ValidationError", f"LifecycleActionResult must be CONTINUE or ABANDON, not '{result}'")
        with self.lock:
            if self.pending.get(pending.instance_id) is not pending:
                raise self.no_action(params)
            del self.pending[pending.instance_id]
            if pending.timer:
                pending.timer.cancel()
        self.record("CompleteLifecycleAction", pending.instance_id, pending.hook, result=result,
                    by="token" if params.get("LifecycleActionToken") else "instance-id", answer="ok")
        self.finish(pending, result, "CompleteLifecycleAction")
        return ""

    def heartbeat(self, params: dict[str, str]) -> str:
        pending = self.find(params, "RecordLifecycleActionHeartbeat")
        with self.lock:
            self.arm(pending)
        self.record("RecordLifecycleActionHeartbeat", pending.instance_id, pending.hook, answer="ok")
        return ""

    # --- helpers ---

    def find(self, params: dict[str, str], action: str) -> Pending:
        group, name = params.get("AutoScalingGroupName", ""), params.get("LifecycleHookName", "")
        token, instance_id = params.get("LifecycleActionToken"), params.get("InstanceId")
        with self.lock:
            for pending in self.pending.values():
                if pending.hook.group == group and pending.hook.name == name and \
                        ((token and pending.token == token) or (not token and instance_id == pending.instance_id)):
                    return pending
        error = self.no_action(params)
        self.record(action, instance_id, None, group=group, hook_name=name, answer=f"{error.code}: {error.message}")
        raise error

    @staticmethod
    def no_action(params: dict[str, str]) -> AwsError:
        if params.get("LifecycleActionToken"):
            return AwsError(400, "ValidationError", "No active Lifecycle Action found with token " + params["LifecycleActionToken"])
        return AwsError(400, "ValidationError", "No active Lifecycle Action found with instance ID " + params.get("InstanceId", ""))

    def arm(self, pending: Pending) -> None:
        """(Re)starts the heartbeat timeout: one HeartbeatTimeout from now, never past the global deadline."""
        if pending.timer:
            pending.timer.cancel()
        seconds = min(pending.hook.heartbeat_timeout, max(0.0, (pending.deadline - self.clock()).total_seconds()))
        pending.timer = self.timers(seconds, lambda: self.timed_out(pending))

    def timed_out(self, pending: Pending) -> None:
        with self.lock:
            if self.pending.get(pending.instance_id) is not pending:
                return
            del self.pending[pending.instance_id]
        self.record("HeartbeatTimeout", pending.instance_id, pending.hook, result=pending.hook.default_result,
                    answer="no completion within the heartbeat timeout: DefaultResult")
        self.finish(pending, pending.hook.default_result, "HeartbeatTimeout")

    def finish(self, pending: Pending, result: str, why: str) -> None:
        """A terminating hook's action ended (CONTINUE or ABANDON alike): moto terminates the instance."""
        try:
            self.autoscaling.terminate_instance_in_auto_scaling_group(InstanceId=pending.instance_id, ShouldDecrementDesiredCapacity=pending.decrement)
            self.record("Terminated", pending.instance_id, pending.hook, result=result, answer=f"terminated in moto after {why}")
        except Exception as e:  # noqa: BLE001 - recorded, the caller has its answer already
            self.record("Terminated", pending.instance_id, pending.hook, result=result, answer=f"moto failed to terminate: {e}")

    def send(self, target_arn: str, body: dict[str, Any]) -> None:
        parts = target_arn.split(":")
        if len(parts) != 6 or parts[2] != "sqs":
            raise AwsError(400, "ValidationError", f"the hook's NotificationTargetARN is not an SQS queue ARN: '{target_arn}' (the stand-in sends to SQS only)")
        url = self.sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body, separators=(",", ":")))

    @staticmethod
    def account(arn: str) -> str:
        parts = arn.split(":")
        return parts[4] if len(parts) > 4 and parts[4] else "123456789012"

    @staticmethod
    def region(arn: str) -> str:
        parts = arn.split(":")
        return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"

    def record(self, action: str, instance_id: str | None, hook: Hook | None, group: str | None = None,
               hook_name: str | None = None, **fields: Any) -> None:
        entry = {"at": now_text(self.clock), "action": action, "instanceId": instance_id,
                 "autoScalingGroupName": hook.group if hook else group, "lifecycleHookName": hook.name if hook else hook_name}
        entry.update(fields)
        with self.lock:
            self.records.append(entry)
        # one line per call; never the token
        print(json.dumps(entry, separators=(",", ":")), flush=True)

    def recorded(self, instance_id: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(entry) for entry in self.records if instance_id is None or entry["instanceId"] == instance_id]

    def activity_xml(self, instance_id: str, group: str, activity_id: str, status: str) -> str:
        started = now_text(self.clock)
        return (f"<Activity><ActivityId>{activity_id}</ActivityId><AutoScalingGroupName>{xml_escape(group)}</AutoScalingGroupName>"
                f"<Cause>At {started} instance {instance_id} was taken out of service in response to a user request.</Cause>"
                f"<Description>Terminating EC2 instance: {instance_id}</Description><Details>{{}}</Details><Progress>0</Progress>"
                f"<StartTime>{started}</StartTime><StatusCode>{status}</StatusCode></Activity>")


def start_timer(seconds: float, callback: Callable[[], None]) -> threading.Timer:
    timer = threading.Timer(seconds, callback)
    timer.daemon = True
    timer.start()
    return timer


def response_xml(action: str, result: str) -> bytes:
    return (f'<{action}Response xmlns="{NAMESPACE}"><{action}Result>{result}</{action}Result>'
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>").encode()


def error_xml(error: AwsError) -> bytes:
    kind = "Sender" if error.status < 500 else "Receiver"
    return (f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>{kind}</Type><Code>{error.code}</Code>'
            f"<Message>{xml_escape(error.message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>").encode()


def make_handler(standin: Standin, moto_host: str, moto_port: int) -> type:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass  # one line per stood-in call is enough; moto logs what it serves

        def do_GET(self) -> None:  # noqa: N802
            url = urllib.parse.urlsplit(self.path)
            if url.path == ACTIONS_PATH:
                instance_id = urllib.parse.parse_qs(url.query).get("instance_id", [None])[0]
                self.reply(200, "application/json", json.dumps({"actions": standin.recorded(instance_id)}).encode())
                return
            self.dispatch()

        def do_POST(self) -> None:  # noqa: N802
            self.dispatch()

        def do_PUT(self) -> None:  # noqa: N802
            self.dispatch()

        def do_DELETE(self) -> None:  # noqa: N802
            self.dispatch()

        def do_HEAD(self) -> None:  # noqa: N802
            self.dispatch()

        def dispatch(self) -> None:
            body = self.body()
            params: dict[str, str] = {}
            if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                params = {key: values[0] for key, values in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
            action = params.get("Action", "")
            if standin.answers(action):
                try:
                    self.reply(200, "text/xml", response_xml(action, standin.answer(action, params)))
                except AwsError as e:
                    self.reply(e.status, "text/xml", error_xml(e))
                except Exception as e:  # noqa: BLE001 - moto or SQS failed under us: a 500 as AWS would
                    self.reply(500, "text/xml", error_xml(AwsError(500, "InternalFailure", f"lifecycle stand-in: {e}")))
                return
            status = self.forward(body)
            if status == 200 and action:
                try:
                    standin.after_moto(action, params)
                except Exception as e:  # noqa: BLE001 - the caller has moto's answer; say what was missed
                    print(json.dumps({"action": action, "error": f"after moto's answer: {e}"}), flush=True)

        def body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def forward(self, body: bytes) -> int:
            connection = http.client.HTTPConnection(moto_host, moto_port, timeout=60)
            try:
                headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
                connection.request(self.command, self.path, body=body if body or self.command in ("POST", "PUT") else None, headers=headers)
                response = connection.getresponse()
                data = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                return response.status
            except OSError as e:
                self.reply(502, "text/plain", f"lifecycle stand-in: moto at {moto_host}:{moto_port} did not answer: {e}".encode())
                return 502
            finally:
                connection.close()

        def reply(self, status: int, content_type: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler


def clients(moto_url: str, region: str) -> tuple[Any, Any]:
    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=region)
    return session.client("autoscaling", endpoint_url=moto_url), session.client("sqs", endpoint_url=moto_url)


def serve(bind: str, port: int, moto_url: str, region: str, standin: Standin | None = None) -> http.server.ThreadingHTTPServer:
    """Starts the stand-in (not yet serving); call serve_forever() on the result."""
    moto = urllib.parse.urlsplit(moto_url)
    if moto.scheme != "http" or not moto.hostname or not moto.port:
        raise SystemExit(f"--moto must be http://HOST:PORT, not '{moto_url}'")
    if standin is None:
        autoscaling, sqs = clients(moto_url, region)
        standin = Standin(autoscaling, sqs)
    server = http.server.ThreadingHTTPServer((bind, port), make_handler(standin, moto.hostname, moto.port))
    server.daemon_threads = True
    return server


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Stand-in for the Auto Scaling lifecycle-hook calls moto lacks, in front of moto (local stack only).")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--moto", required=True, help="moto's URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    server = serve(args.bind, args.port, args.moto, args.region)
    print(f"Auto Scaling lifecycle stand-in listening on http://{args.bind}:{server.server_address[1]}, in front of moto at {args.moto}"
          f" (actions recorded at {ACTIONS_PATH})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.exit(main(sys.argv[1:]))
