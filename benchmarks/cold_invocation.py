"""One cold Lambda invocation, in the fresh interpreter benchmarks/cold_start.py starts for it.

    python benchmarks/cold_invocation.py HANDLER < event.json

Imports the handler module, then calls its `handler` with the event read from stdin, and prints
one line: the marker, then JSON with both durations, the handler's response and how long the
invocation spent waiting for AWS endpoints. Run as a script, not with -m, so nothing but the
interpreter's own start-up precedes the timed import: the event is read as text first and parsed
only after the handler has imported json itself.
"""

import sys
import time

MARKER = "COLD-INVOCATION "


class Context:
    """What Powertools reads from Lambda's context object."""

    function_name = "cold-start"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cold-start"
    aws_request_id = "cold-start-request"
    log_group_name = "/aws/lambda/cold-start"
    log_stream_name = "cold-start"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


class _AwsWait:
    """Seconds spent inside botocore's HTTP send: the endpoints' latency, not the handler's work."""

    seconds = 0.0
    requests = 0

    @classmethod
    def install(cls) -> bool:
        # Only when the handler's import loaded botocore's HTTP layer: importing it here would move
        # its cost out of both figures. The wrapper itself is a few microseconds per request.
        session_module = sys.modules.get("botocore.httpsession")
        if session_module is None:
            return False
        session_class = session_module.URLLib3Session
        send = session_class.send

        def timed_send(self: object, request: object) -> object:
            began = time.perf_counter()
            try:
                return send(self, request)
            finally:
                cls.seconds += time.perf_counter() - began
                cls.requests += 1

        session_class.send = timed_send
        return True


def main() -> None:
    handler_name = sys.argv[1]
    event_text = sys.stdin.read()
    began = time.perf_counter()
    module = __import__(f"video_pipeline.handlers.{handler_name}", fromlist=["handler"])
    imported = time.perf_counter()
    import json

    event = json.loads(event_text)
    measured_wait = _AwsWait.install()
    started = time.perf_counter()
    response = module.handler(event, Context())
    finished = time.perf_counter()
    result = {
        "import_ms": (imported - began) * 1000,
        "invoke_ms": (finished - started) * 1000,
        "aws_wait_ms": _AwsWait.seconds * 1000 if measured_wait else None,
        "aws_requests": _AwsWait.requests if measured_wait else None,
        "response": response,
    }
    sys.stdout.write(MARKER + json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
