"""Remote-worker benchmark: throughput of the server alone against a coordinator with 1 and
2 `parley worker` processes, claim latency, API latency while workers run, and what the
coordinator costs.

    tests/.venv/bin/python bench/workers.py [--meetings 6] [--seconds 30] [--latency-runs 10] [--json]

Every engine runs one CPU thread (PARLEY_ENGINE_THREADS=1) and is pinned with taskset to one
core (the server alone to core 0; workers A and B to cores 0 and 1), so that "2 workers" means
two cores' worth of model work on this 2-core box, and the server alone one. The same
meetings (the JFK clip looped to --seconds, each made unique) are uploaded at once and timed
from the first upload to the last `synced`. Claim latency is measured on an idle system, one
short meeting at a time: "queued → claimed" is the transcribe job's created_at → started_at
in the database (a long-polling worker's wake-up), "upload → first stage" the upload's
answer → the normalize job's start. Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from support import BINARY, ParleyServer, make_audio  # noqa: E402
from worker_support import WorkerProcess, worker_token  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    """Polls the summary list (API latency) and the server's RSS while a run goes on."""

    def __init__(self, api, pid: int):
        super().__init__(daemon=True)
        self.api, self.pid = api, pid
        self.latencies: list[float] = []
        self.peak_rss = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            started = time.perf_counter()
            self.api.get("/api/v1/meetings/summary", params={"limit": 50})
            self.latencies.append(time.perf_counter() - started)
            self.peak_rss = max(self.peak_rss, rss_mb(self.pid))
            time.sleep(0.2)


def pinned(core: int, args: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *args]


def throughput(label: str, workers: int, files: list[Path], seconds: float) -> dict:
    env = {"PARLEY_ENGINE_THREADS": "1", "PARLEY_MAX_QUEUED": "10000"}
    if workers:
        env["PARLEY_LOCAL_WORKERS"] = "0"
    server = ParleyServer(env=env)
    if workers:
        server.start()
    else:
        start_pinned(server)
    procs = []
    try:
        api = server.add_user("bench")
        if workers:
            token = worker_token(server, "bench")
            for index in range(workers):
                worker = WorkerProcess(server, token, f"bench-{index}")
                worker.args = pinned(index, worker.args)
                procs.append(worker.start())
        time.sleep(1.5)  # workers connected and long-polling
        cpu_before, wall_before = cpu_seconds(server.process.pid), time.perf_counter()
        sampler = Sampler(api, server.process.pid)
        sampler.start()
        ids = [api.upload(path.read_bytes(), title=path.stem)["id"] for path in files]
        for mid in ids:
            assert api.wait_status(mid, timeout=3600)["status"] == "synced", mid
        wall = time.perf_counter() - wall_before
        sampler.done.set()
        sampler.join()
        coordinator_cpu = cpu_seconds(server.process.pid) - cpu_before
        return {
            "setup": label,
            "meetings": len(ids),
            "audio_seconds": len(ids) * seconds,
            "wall_seconds": round(wall, 1),
            "audio_s_per_wall_s": round(len(ids) * seconds / wall, 2),
            "summary_p50_ms": round(percentile(sampler.latencies, 0.5) * 1000, 1),
            "summary_p99_ms": round(percentile(sampler.latencies, 0.99) * 1000, 1),
            "server_peak_rss_mb": round(sampler.peak_rss, 1),
            "server_cpu_percent": round(100 * coordinator_cpu / wall, 1),
            "latency": claim_latency(server, api, files[0].parent, workers) if workers == 2 else None,
        }
    finally:
        for worker in procs:
            worker.kill9()
        server.stop(60)
        server.remove()


def start_pinned(server: ParleyServer) -> None:
    """The server alone, pinned to core 0 with its engine (children inherit the mask)."""
    import subprocess
    from support import free_port, wait_for
    import requests

    server.port = free_port()
    env = {**os.environ, **server.env}
    log = open(server.log_path, "ab")
    server.process = subprocess.Popen(
        pinned(0, [str(BINARY), "serve", "--data", str(server.data_dir), "--port", str(server.port)]),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log.close()

    def healthy() -> bool:
        try:
            return requests.get(server.url + "/health", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    wait_for(healthy, 30, interval=0.05, what="parley serve")


def claim_latency(server: ParleyServer, api, directory: Path, workers: int) -> dict:
    upload_to_first, queued_to_claimed = [], []
    database = server.data_dir / "parley.sqlite"
    for index in range(ARGS.latency_runs):
        path = make_audio(directory / f"latency-{index}.wav", 3)
        mid = api.upload(path.read_bytes(), title=path.stem)["id"]
        answered = time.time()
        assert api.wait_status(mid, timeout=600)["status"] == "synced"
        with sqlite3.connect(database) as db:
            rows = dict(
                (stage, (created, started))
                for stage, created, started in db.execute(
                    "SELECT stage, created_at, started_at FROM job WHERE meeting_id = ?", (mid,)
                )
            )
        upload_to_first.append(rows["normalize"][1] - answered)
        queued_to_claimed.append(rows["transcribe"][1] - rows["transcribe"][0])
    return {
        "upload_to_first_stage_p50_ms": round(percentile(upload_to_first, 0.5) * 1000, 1),
        "upload_to_first_stage_p99_ms": round(percentile(upload_to_first, 0.99) * 1000, 1),
        "transcribe_queued_to_claimed_p50_ms": round(percentile(queued_to_claimed, 0.5) * 1000, 1),
        "transcribe_queued_to_claimed_p99_ms": round(percentile(queued_to_claimed, 0.99) * 1000, 1),
        "runs": len(upload_to_first),
    }


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--latency-runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    ARGS = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="parley-bench-workers-"))
    rows = []
    for label, workers in (
        ("server alone (1 engine, 1 thread)", 0),
        ("coordinator + 1 worker", 1),
        ("coordinator + 2 workers", 2),
    ):
        files = [make_audio(directory / f"{workers}-{i}.wav", ARGS.seconds) for i in range(ARGS.meetings)]
        rows.append(throughput(label, workers, files, ARGS.seconds))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    if ARGS.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        f"{ARGS.meetings} meetings × {ARGS.seconds:.0f} s (tiny.en, beam 5, diarization), engines pinned to 1 thread/core"
    )
    print(
        f"{'setup':38} {'audio s/wall s':>14} {'wall s':>7} {'summary p50/p99 ms':>19} {'server RSS MB':>13} {'server CPU %':>12}"
    )
    for row in rows:
        print(
            f"{row['setup']:38} {row['audio_s_per_wall_s']:>14} {row['wall_seconds']:>7} "
            f"{row['summary_p50_ms']:>8}/{row['summary_p99_ms']:<10} {row['server_peak_rss_mb']:>13} {row['server_cpu_percent']:>12}"
        )
    latency = rows[-1]["latency"]
    print(
        f"claim latency with 2 idle workers over {latency['runs']} meetings: transcribe queued → claimed "
        f"p50 {latency['transcribe_queued_to_claimed_p50_ms']} ms, p99 {latency['transcribe_queued_to_claimed_p99_ms']} ms; "
        f"upload answered → first stage started p50 {latency['upload_to_first_stage_p50_ms']} ms, "
        f"p99 {latency['upload_to_first_stage_p99_ms']} ms"
    )


if __name__ == "__main__":
    main()
