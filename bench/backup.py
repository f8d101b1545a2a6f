"""Backup, restore and verify over 100 meetings, and what a running backup costs the API.

    tests/.venv/bin/python bench/backup.py [--meetings 100] [--requests 300] [--json]

Starts the real `parley serve` (PARLEY_RATE_LIMIT=0) on loopback, uploads N distinct files of
1-3 MB of random bytes named .wav through POST /api/v1/meetings and cancels each one at once
(the upload path is the honest way to get a meeting row, its original on disk and its quota
accounting; cancelling keeps the engine out of it). Then, against the running server:

1. `parley backup --to B`: wall time, the command's own report, B's size and file count.
2. the same again with nothing changed: time and "MB copied" (should be ~0).
3. `parley restore --from B --data NEW` (time, restored size) and `parley backup --verify B`.
4. GET /api/v1/meetings/summary?limit=50, sequentially on one keep-alive session: idle, then
   while full backups (each into a fresh folder, so every one copies all the audio: the worst
   case, as a first backup) run back to back in a subprocess. Prints p50/p99 and busy/idle.

Prints figures; asserts nothing about timings. With --json the human lines go to stderr and
a JSON summary to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from support import BINARY, ParleyServer  # noqa: E402

BACKED_UP = re.compile(
    r"backed up (\d+) meetings \((\d+) audio files, (\d+) new, ([\d.]+) MB copied\) to .* in ([\d.]+) s"
)
MB = 1 << 20
OUT = sys.stdout


def say(line: str) -> None:
    print(line, file=OUT, flush=True)


def parley(*args: str, timeout: float = 300) -> tuple[float, str]:
    """Runs the CLI; returns (wall seconds, stdout). A failure stops the bench: a figure for a
    command that did not succeed would be meaningless."""
    started = time.perf_counter()
    result = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"parley {' '.join(args)} exited {result.returncode}: {result.stdout}{result.stderr}")
    return seconds, result.stdout.strip()


def tree(path: Path) -> tuple[int, int]:
    """(bytes, files) under `path`: apparent sizes, which is what a copy elsewhere costs."""
    total = files = 0
    for item in path.rglob("*"):
        if item.is_file():
            total, files = total + item.stat().st_size, files + 1
    return total, files


def backup_report(out: str) -> dict:
    match = BACKED_UP.search(out)
    if not match:
        raise RuntimeError(f"unexpected `parley backup` output: {out!r}")
    return {
        "meetings": int(match[1]),
        "files": int(match[2]),
        "new": int(match[3]),
        "copied_mb": float(match[4]),
        "reported_seconds": float(match[5]),
    }


def percentile(ms: list[float], p: float) -> float:
    ordered = sorted(ms)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def latencies(user, count: int, running: threading.Event | None = None) -> tuple[list[float], int, int]:
    """`count` sequential summary requests; returns (ms each, errors, requests that had a
    backup running both when sent and when answered)."""
    ms, errors, covered = [], 0, 0
    for _ in range(count):
        before = running is not None and running.is_set()
        started = time.perf_counter()
        response = user.get("/api/v1/meetings/summary", params={"limit": 50})
        ms.append((time.perf_counter() - started) * 1000)
        errors += response.status_code != 200 or not response.json().get("items")
        covered += before and running.is_set()
    return ms, errors, covered


class BackupLoop(threading.Thread):
    """Full backups back to back until stopped (at most `limit`). Each goes into a fresh
    folder so each copies every file; the folders are removed only after the window, so
    deleting 200 MB is not part of the load being measured."""

    def __init__(self, data: Path, root: Path, limit: int = 40):
        super().__init__(daemon=True)
        self.data, self.root, self.limit = data, root, limit
        self.stop, self.running = threading.Event(), threading.Event()
        self.seconds: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        for index in range(self.limit):
            if self.stop.is_set():
                return
            self.running.set()
            try:
                seconds, _ = parley("backup", "--to", str(self.root / f"loop-{index}"), "--data", str(self.data))
                self.seconds.append(seconds)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                self.failures.append(str(error)[:300])
            finally:
                self.running.clear()


def main() -> None:
    global OUT
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=100)
    parser.add_argument("--requests", type=int, default=300, help="summary requests per latency phase")
    parser.add_argument("--min-mb", type=float, default=1)
    parser.add_argument("--max-mb", type=float, default=3)
    parser.add_argument("--json", action="store_true", help="human lines to stderr, a JSON summary to stdout")
    args = parser.parse_args()
    OUT = sys.stderr if args.json else sys.stdout
    rng = random.Random(11)
    root = Path(tempfile.mkdtemp(prefix="parley-backup-bench-"))
    server = ParleyServer(root / "data", env={"PARLEY_RATE_LIMIT": "0"})
    figures: dict = {"meetings": args.meetings, "binary": str(BINARY), "load_before": os.getloadavg()}
    started = time.monotonic()
    try:
        server.start()
        user = server.add_user("bench")

        # Seed through the API. Random bytes never dedupe, so every meeting has its own object.
        t0, cancels = time.perf_counter(), Counter()
        for index in range(args.meetings):
            size = rng.randint(int(args.min_mb * MB), int(args.max_mb * MB))
            meeting = user.upload(os.urandom(size), filename=f"bench-{index}.wav", title=f"Backup bench {index}")
            cancels[user.post(f"/api/v1/meetings/{meeting['id']}/cancel").status_code] += 1
        upload_seconds = time.perf_counter() - t0
        # Cancel marks a meeting failed with failure_reason "cancelled"; any other reason means
        # a normalize job got to the random bytes first (harmless: the original is still kept).
        statuses = Counter(f"{m['status']}/{m.get('failure_reason')}" for m in user.meetings())
        audio_bytes, audio_files = tree(server.data_dir / "audio")
        # The server runs SQLite in WAL mode: recent writes sit in parley.sqlite-wal.
        db_bytes = sum(p.stat().st_size for p in server.data_dir.glob("parley.sqlite*"))
        figures["seed"] = {
            "seconds": round(upload_seconds, 2),
            "audio_mb": round(audio_bytes / MB, 1),
            "audio_files": audio_files,
            "db_mb": round(db_bytes / MB, 2),
            "cancel_http": dict(cancels),
            "statuses": dict(statuses),
        }
        say(
            f"seeded {args.meetings} meetings by upload+cancel in {upload_seconds:.1f} s: {audio_bytes / MB:.1f} MB "
            f"in {audio_files} audio files, database+WAL {db_bytes / MB:.2f} MB; cancel HTTP {dict(cancels)}; "
            f"statuses {dict(statuses)}"
        )

        # 1. First backup of the running server.
        backup = root / "backup"
        seconds, out = parley("backup", "--to", str(backup), "--data", str(server.data_dir))
        first = backup_report(out)
        size, files = tree(backup)
        objects_bytes, objects = tree(backup / "objects")
        snap_bytes, snap_files = tree(backup / "snapshots")
        figures["first_backup"] = {
            "seconds": round(seconds, 2),
            **first,
            "folder_mb": round(size / MB, 1),
            "folder_files": files,
            "objects": objects,
            "objects_mb": round(objects_bytes / MB, 1),
            "snapshot_files": snap_files,
            "snapshot_mb": round(snap_bytes / MB, 2),
            "mb_per_s": round(first["copied_mb"] / seconds, 1),
        }
        say(
            f"backup 1       {seconds:7.2f} s wall ({first['reported_seconds']:.1f} s reported)  "
            f"{first['meetings']} meetings, {first['files']} audio files, {first['new']} new, "
            f"{first['copied_mb']:.1f} MB copied = {first['copied_mb'] / seconds:.0f} MB/s"
        )
        say(
            f"  folder       {size / MB:7.1f} MB in {files} files: objects {objects_bytes / MB:.1f} MB ({objects} files),"
            f" snapshots {snap_bytes / MB:.2f} MB ({snap_files} files)"
        )

        # 2. Nothing changed: the second backup should stat, not re-read or copy, the audio.
        time.sleep(0.01)  # snapshot names are per millisecond
        seconds, out = parley("backup", "--to", str(backup), "--data", str(server.data_dir))
        second = backup_report(out)
        size2, files2 = tree(backup)
        figures["second_backup"] = {
            "seconds": round(seconds, 2),
            **second,
            "folder_mb": round(size2 / MB, 1),
            "folder_files": files2,
        }
        say(
            f"backup 2       {seconds:7.2f} s wall ({second['reported_seconds']:.1f} s reported)  "
            f"{second['new']} new, {second['copied_mb']:.1f} MB copied; folder now {size2 / MB:.1f} MB in {files2} files"
        )

        # 3. Restore into a new directory, and verify (which re-hashes both snapshots).
        restored = root / "restored"
        seconds, out = parley("restore", "--from", str(backup), "--data", str(restored))
        rsize, rfiles = tree(restored)
        figures["restore"] = {"seconds": round(seconds, 2), "mb": round(rsize / MB, 1), "files": rfiles, "output": out}
        say(f"restore        {seconds:7.2f} s wall  {rsize / MB:.1f} MB in {rfiles} files ({out.split(' from ')[0]})")
        shutil.rmtree(restored)
        seconds, out = parley("backup", "--verify", str(backup))
        lines = out.splitlines()
        figures["verify"] = {
            "seconds": round(seconds, 2),
            "snapshots": len(lines),
            "all_ok": all(line.endswith(": ok") for line in lines),
        }
        say(
            f"verify         {seconds:7.2f} s wall  {len(lines)} snapshots, "
            f"{'all ok' if figures['verify']['all_ok'] else 'PROBLEMS: ' + out}"
        )

        # 4. API latency idle vs while backups run. A short warm-up first so neither phase
        # pays for the first connection or cold caches.
        latencies(user, 20)
        idle, idle_errors, _ = latencies(user, args.requests)
        loop = BackupLoop(server.data_dir, root / "loop")
        loop.start()
        for _ in range(200):  # up to 10 s for the first backup process to start
            if loop.running.is_set() or not loop.is_alive():
                break
            time.sleep(0.05)
        t0 = time.perf_counter()
        busy, busy_errors, covered = latencies(user, args.requests, loop.running)
        window = time.perf_counter() - t0
        loop.stop.set()
        loop.join(300)
        shutil.rmtree(root / "loop", ignore_errors=True)
        phases = {}
        for name, ms, errors in (("idle", idle, idle_errors), ("busy", busy, busy_errors)):
            phases[name] = {
                "n": len(ms),
                "p50_ms": round(percentile(ms, 50), 2),
                "p99_ms": round(percentile(ms, 99), 2),
                "max_ms": round(max(ms), 2),
                "errors": errors,
            }
        ratio = {p: round(phases["busy"][f"{p}_ms"] / phases["idle"][f"{p}_ms"], 2) for p in ("p50", "p99")}
        figures["latency"] = {
            **phases,
            "ratio": ratio,
            "busy_window_s": round(window, 2),
            "requests_with_backup_running": covered,
            "backups_in_loop": len(loop.seconds),
            "loop_backup_seconds": [round(s, 2) for s in loop.seconds],
            "loop_failures": loop.failures,
        }
        say(f"GET /api/v1/meetings/summary?limit=50, {args.requests} sequential requests per phase (ms):")
        say(f"  {'phase':<6} {'p50':>8} {'p99':>8} {'max':>8} {'errors':>7}")
        for name, phase in phases.items():
            say(
                f"  {name:<6} {phase['p50_ms']:8.1f} {phase['p99_ms']:8.1f} {phase['max_ms']:8.1f} {phase['errors']:7d}"
            )
        say(f"  busy/idle ratio: p50 {ratio['p50']:.2f}, p99 {ratio['p99']:.2f}")
        say(
            f"  busy window {window:.1f} s, {covered}/{len(busy)} requests with a backup running throughout; "
            f"{len(loop.seconds)} full backup(s) in the loop ({', '.join(f'{s:.1f}' for s in loop.seconds)} s)"
            + (f"; FAILURES: {loop.failures}" if loop.failures else "")
        )
    except BaseException:
        say(f"server log tail:\n{server.log_tail()}")
        raise
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        figures["seconds"], figures["load_after"] = round(time.monotonic() - started, 1), os.getloadavg()
        say(f"done in {figures['seconds']} s, load {figures['load_before'][0]:.1f} -> {figures['load_after'][0]:.1f}")
        if args.json:
            print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
