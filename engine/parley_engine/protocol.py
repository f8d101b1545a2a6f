"""JSON-lines framing: parse requests, write replies to the private protocol fd."""

import json
import math
import threading

from .errors import BadRequest


class Request:
    __slots__ = ("id", "method", "params")

    def __init__(self, id, method: str, params: dict):
        self.id, self.method, self.params = id, method, params


def parse_request(line: str) -> Request:
    """Parse one request line. On failure raises BadRequest with `.request_id` set to the
    id when one could be read (so the reply can still be matched), else None."""
    try:
        msg = json.loads(line)
    except ValueError as exc:
        raise _bad(None, f"malformed JSON: {exc}") from None
    if not isinstance(msg, dict):
        raise _bad(None, "request must be a JSON object")
    rid = msg.get("id")
    if not isinstance(rid, (str, int)) or isinstance(rid, bool):
        raise _bad(None, "request needs an `id` (string or integer)")
    method, params = msg.get("method"), msg.get("params", {})
    if not isinstance(method, str) or not method:
        raise _bad(rid, "request needs a `method` (string)")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise _bad(rid, "`params` must be a JSON object")
    return Request(rid, method, params)


def _bad(rid, message: str) -> BadRequest:
    err = BadRequest(message)
    err.request_id = rid
    return err


def _plain(value):
    """Make numpy scalars/arrays and non-finite floats JSON-safe (Swift rejects NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy array or scalar, without importing numpy here
        return _plain(value.tolist())
    return value


class Writer:
    """Writes whole lines to the protocol stream; a lock keeps lines from interleaving if
    a library calls a progress callback from another thread."""

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, msg: dict) -> None:
        line = json.dumps(_plain(msg), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def ready(self, pid: int, version: str) -> None:
        self.send({"event": "ready", "version": version, "pid": pid})

    def progress(self, rid, stage: str, fraction: float, **extra) -> None:
        frac = round(min(1.0, max(0.0, float(fraction))), 3)
        self.send({"id": rid, "event": "progress", "stage": stage, "fraction": frac, **extra})

    def result(self, rid, result: dict) -> None:
        self.send({"id": rid, "event": "result", "result": result})

    def error(self, rid, err) -> None:
        self.send({"id": rid, "event": "error", "error": err.to_dict()})
