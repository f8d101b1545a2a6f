"""`python -m parley_engine`: the engine process (protocol in engine/PROTOCOL.md)."""

import os

# Before anything imports numpy, onnxruntime or CTranslate2: they size their thread pools
# and pick their hub mode once, at import.
_threads = os.environ.get("PARLEY_ENGINE_THREADS", "").strip()
if not _threads.isdigit() or int(_threads) < 1:
    _threads = str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
os.environ["OMP_NUM_THREADS"] = _threads  # CTranslate2's OpenMP pool: one per core
os.environ["OPENBLAS_NUM_THREADS"] = "1"  # numpy/scipy BLAS: small ops, no oversubscription
os.environ["MKL_NUM_THREADS"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"  # never download weights at run time
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# A server asks for a lower CPU priority so request handling always wins the cores.
_nice = os.environ.get("PARLEY_ENGINE_NICE", "").strip()
if _nice.isdigit() and int(_nice) > 0:
    os.nice(min(int(_nice), 19))

import signal  # noqa: E402
import sys  # noqa: E402

from . import PROTOCOL_VERSION  # noqa: E402
from .protocol import Writer  # noqa: E402


def _private_stdout():
    """Keep the real stdout for the protocol on a private fd and point fd 1 at stderr,
    so a stray print (Python or C) from any library lands in the log, not the protocol."""
    sys.stdout.flush()
    proto_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(proto_fd, "w", encoding="utf-8", newline="\n")


def main() -> None:
    proto = _private_stdout()
    writer = Writer(proto)
    writer.ready(os.getpid(), PROTOCOL_VERSION)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # die quietly, no KeyboardInterrupt trace
    from .methods import HANDLERS
    from .server import serve, watch_parent

    watch_parent()
    try:
        code = serve(sys.stdin.buffer, writer, HANDLERS)
    except BrokenPipeError:  # the supervisor went away: nobody to answer
        code = 0
    try:
        proto.flush()
        sys.stderr.flush()
    except OSError:
        pass
    # Skip interpreter teardown: CTranslate2/OpenMP/onnxruntime threads can make it slow
    # or hang, and everything worth keeping has been flushed.
    os._exit(code)


if __name__ == "__main__":
    main()
