"""Errors that become protocol `error` replies (codes from PROTOCOL.md)."""


class EngineError(Exception):
    """An error with a protocol code. The message must be one line."""

    code = "internal"
    retryable = True

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))  # force one line

    def to_dict(self) -> dict:
        return {"code": self.code, "message": str(self), "retryable": self.retryable}


class BadRequest(EngineError):
    code, retryable = "bad_request", False


class BadAudio(EngineError):
    code, retryable = "bad_audio", False


class ModelUnavailable(EngineError):
    code, retryable = "model_unavailable", False


def internal(exc: BaseException) -> EngineError:
    """Wrap an unexpected exception; retryable because it may be transient (OOM, disk)."""
    first = (str(exc).strip().splitlines() or [""])[0]
    return EngineError(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)
