"""Starts the real `parley serve` for the browser tests: a free loopback port, a temporary
data directory, accounts made with `parley user add`. Nothing here imports server code."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("PARLEY_BINARY") or REPO / ".build" / "debug" / "parley")
EVAL_DIR = Path(os.environ.get("PARLEY_EVAL_DIR") or REPO.parent / "shared" / "eval")
CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts" / "ui"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


class Server:
    def __init__(self, data_dir: Path | None = None):
        assert BINARY.exists(), f"build first: {BINARY} is missing (swift build)"
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="parley-ui-"))
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log_path = self.data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        result = subprocess.run([str(BINARY), *args, "--data", str(self.data_dir)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"parley {' '.join(args)}: {result.stderr}"
        return result.stdout.strip()

    def add_user(self, name: str | None = None) -> tuple[str, str]:
        name = name or f"u{uuid.uuid4().hex[:8]}"
        token = self.cli("user", "add", name)
        assert token.startswith("prl_"), token
        return name, token

    def start(self) -> "Server":
        self.port = free_port()
        env = {**os.environ, "PARLEY_RATE_LIMIT": "0"}
        env.pop("PARLEY_DATA", None)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(BINARY), "serve", "--data", str(self.data_dir), "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def healthy() -> bool:
            assert self.process.poll() is None, f"parley serve exited:\n{self.log_tail()}"
            try:
                return requests.get(self.url + "/health", timeout=1).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(healthy, 30, 0.05, "parley serve to answer /health")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def remove(self) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)
