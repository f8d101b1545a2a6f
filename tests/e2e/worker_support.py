"""`parley worker` processes for the e2e tests, and a hand-driven worker (plain HTTP) for the
protocol's corner cases: the real binary, real HTTP, on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

import requests

from support import BINARY, ParleyServer, child_pids, wait_for


def worker_token(server: ParleyServer, user: str) -> str:
    token = server.cli("token", "create", "--user", user, "--role", "worker", "--label", "e2e worker")
    assert token.startswith("prl_"), token
    return token


class WorkerProcess:
    """One `parley worker` against `server`, with its own cache and log."""

    def __init__(self, server: ParleyServer, token: str, name: str, *extra: str, env: dict[str, str] | None = None):
        self.server = server
        self.name = name
        self.directory = Path(tempfile.mkdtemp(prefix=f"parley-{name}-"))
        self.log_path = self.directory / "worker.log"
        self.args = [
            str(BINARY),
            "worker",
            "--server",
            server.url,
            "--token",
            token,
            "--name",
            name,
            "--cache-dir",
            str(self.directory / "cache"),
            "--claim-wait",
            "5",
            *extra,
        ]
        self.env = {**os.environ, "PARLEY_ENGINE_THREADS": "1", **(env or {})}
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.args, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM: the worker gives its job back and exits; returns its exit status."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise AssertionError(
                f"parley worker {self.name} did not exit within {timeout}s of SIGTERM:\n{self.log()[-3000:]}"
            )

    def kill9(self) -> None:
        """The machine is gone: the worker and its engine die at once, nothing is reported."""
        if self.process is None or self.process.poll() is not None:
            return
        engines = child_pids(self.process.pid)
        for pid in [self.process.pid, *engines]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(10)


class HandWorker:
    """The worker API driven by hand, to send what a real worker never would."""

    def __init__(self, server: ParleyServer, token: str, worker_id: str):
        self.server = server
        self.token = token
        self.worker_id = worker_id
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def claim(self, stages=("transcribe", "diarize"), models=("tiny.en",), wait: float = 3) -> requests.Response:
        body = {
            "worker_id": self.worker_id,
            "name": self.worker_id,
            "stages": list(stages),
            "models": list(models),
            "device": "cpu",
            "wait_seconds": wait,
        }
        return self.session.post(self.server.url + "/api/v1/worker/claim", json=body, timeout=wait + 30)

    def report(self, job_id: int, action: str, body: dict) -> requests.Response:
        return self.session.post(f"{self.server.url}/api/v1/worker/jobs/{job_id}/{action}", json=body, timeout=30)

    def audio(self, job_id: int, **headers: str) -> requests.Response:
        return self.session.get(f"{self.server.url}/api/v1/worker/jobs/{job_id}/audio", headers=headers, timeout=30)


def fake_recognition(text: str = "a result made by hand") -> dict:
    return {
        "duration": 5.0,
        "language": "en",
        "model": "hand-made",
        "segments": [{"start": 0.0, "end": 2.5, "text": text, "words": []}],
    }


def wait_for_stage(api, meeting_id: str, stage: str, state: str, timeout: float = 120) -> dict:
    def reached():
        status = api.status(meeting_id)
        entry = next(s for s in status["stages"] if s["stage"] == stage)
        return status if entry.get("state") == state else None

    return wait_for(reached, timeout, interval=0.1, what=f"{stage} to be {state}")


def stage_of(status: dict, stage: str) -> dict:
    return next(s for s in status["stages"] if s["stage"] == stage)


class FaultyProxy:
    """A TCP relay in front of the server that spoils the first `faults` audio downloads it
    sees: "cut" closes the connection after `keep` bytes of the answer (a download cut off
    mid-way), "corrupt" flips one byte of the body (bytes that do not match the hash).
    Everything else passes through untouched."""

    def __init__(self, upstream_port: int, mode: str, faults: int = 1, keep: int = 20_000):
        import socket

        self.upstream_port, self.mode, self.faults, self.keep = upstream_port, mode, faults, keep
        self.spoiled = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def accept(self) -> None:
        import socket

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            state = {"spoil": False}
            threading.Thread(target=self.forward_requests, args=(client, upstream, state), daemon=True).start()
            threading.Thread(target=self.forward_answers, args=(upstream, client, state), daemon=True).start()

    def forward_requests(self, client, upstream, state) -> None:
        try:
            while data := client.recv(65536):
                if b"GET /api/v1/worker/jobs/" in data and b"/audio" in data:
                    with self.lock:
                        if self.spoiled < self.faults:
                            self.spoiled += 1
                            state.update(spoil=True, seen=0)
                upstream.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                try:
                    sock.close()
                except OSError:
                    pass

    def forward_answers(self, upstream, client, state) -> None:
        try:
            while data := upstream.recv(65536):
                if state["spoil"]:
                    start = state["seen"]
                    state["seen"] += len(data)
                    if self.mode == "cut" and state["seen"] >= self.keep:
                        client.sendall(data[: max(self.keep - start, 0)])
                        raise OSError("cut")
                    if self.mode == "corrupt" and start < 10_000 <= state["seen"]:
                        data = bytearray(data)
                        data[10_000 - start] ^= 0xFF
                        data = bytes(data)
                        state["spoil"] = False
                client.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                try:
                    sock.close()
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()
