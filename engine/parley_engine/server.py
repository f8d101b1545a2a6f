"""The dispatch loop: one request at a time, every request gets exactly one reply."""

import os
import sys
import threading
import time
import traceback

from .errors import BadRequest, EngineError, internal
from .protocol import Writer, parse_request

PROGRESS_INTERVAL = 0.1  # seconds: at most ~10 progress lines a second


class Job:
    """What a handler gets besides its params: throttled progress callbacks."""

    def __init__(self, writer: Writer, rid):
        self.writer, self.id = writer, rid

    def progress(self, stage: str):
        state = {"sent": -1.0, "at": 0.0}

        def report(fraction: float, **extra) -> None:
            """`extra`: stage-specific fields (models_pull sends `bytes`, `total_bytes`).
            The last report (fraction 1.0) is always sent, however soon it comes."""
            now = time.monotonic()
            if fraction > state["sent"] and (now - state["at"] >= PROGRESS_INTERVAL or fraction >= 1.0):
                state["sent"], state["at"] = fraction, now
                self.writer.progress(self.id, stage, fraction, **extra)

        return report


def handle(line: bytes, writer: Writer, handlers: dict) -> bool:
    """Answer one request line. Returns False when the engine should exit."""
    try:
        req = parse_request(line.decode("utf-8"))
    except UnicodeDecodeError:
        writer.error(None, BadRequest("request line is not valid UTF-8"))
        return True
    except BadRequest as err:
        writer.error(err.request_id, err)
        return True
    if req.method == "shutdown":
        writer.result(req.id, {})
        return False
    handler = handlers.get(req.method)
    if handler is None:
        writer.error(req.id, BadRequest(f"unknown method {req.method!r}"))
        return True
    started = time.monotonic()
    try:
        result = handler(req.params, Job(writer, req.id))
    except EngineError as err:
        print(f"parley-engine: {req.method} {req.id}: {err.code}: {err}", file=sys.stderr)
        writer.error(req.id, err)
    except Exception as exc:  # noqa: BLE001 - report it, keep serving
        traceback.print_exc(file=sys.stderr)
        writer.error(req.id, internal(exc))
    else:
        writer.result(req.id, result)
        if req.method != "ping":
            print(f"parley-engine: {req.method} {req.id}: ok in {time.monotonic() - started:.2f} s", file=sys.stderr)
    return True


def serve(stdin, writer: Writer, handlers: dict) -> int:
    """Read request lines from the binary stream `stdin` until EOF or `shutdown`."""
    for line in stdin:
        if line.strip() and not handle(line, writer, handlers):
            break
    return 0


def watch_parent(interval: float = 1.0) -> None:
    """Exit within `interval` of the supervisor dying, even in the middle of a long job:
    EOF on stdin is only seen between jobs, and an orphaned engine holds hundreds of MB."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        print("parley-engine: parent process exited; stopping", file=sys.stderr)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
