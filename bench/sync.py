"""Client sync benchmark: `parley sync` of many short recordings against a local server.

    tests/.venv/bin/python bench/sync.py [--recordings 100] [--parallel 2] [--drop 0.2] [--chunk-kb 64] [--json]

Starts `parley serve` on a free loopback port with a temporary data directory (rate limiting
off) and measures, with the real CLI:
  - upload pass: `sync --parallel N` of N short tones (2-4 s, 16 kHz mono WAV): time, HTTP
    requests per recording (the report's `requests` / N), bytes sent;
  - processing: `sync --wait` until the server has processed all of them: time, requests;
  - idle pass: a second `sync` of the same, fully synced library (should be ~1 request);
  - offload: local bytes (`parley storage`, and the library folder on disk) before and after
    the `after-sync` policy ran;
  - interruptions: the same recordings from a second account through a proxy that drops a
    share of PATCH requests mid-body, with small chunks: bytes the client re-sent, and bytes
    the server received more than once.
Prints figures only (asserts nothing, so it never fails on a slow machine). Uses the helpers of
the client e2e suite (tests/e2e/client_support.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from client_support import Client, FaultPlan, FaultProxy, Server, make_tones  # noqa: E402


def disk_bytes(directory: Path) -> int:
    """Bytes the folder's files take (du, apparent size)."""
    output = subprocess.run(["du", "-sb", str(directory)], capture_output=True, text=True, check=True).stdout
    return int(output.split()[0])


def until_settled(client: Client, args: list[str], passes: int = 20) -> list:
    """Runs `sync ARGS` until nothing is left to upload; returns every pass's run."""
    runs = []
    for _ in range(passes):
        runs.append(client.sync(*args, timeout=1800))
        if set(client.statuses()) <= {"processing", "synced"}:
            break
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recordings", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--min-seconds", type=float, default=2)
    parser.add_argument("--max-seconds", type=float, default=4)
    parser.add_argument("--drop", type=float, default=0.2, help="share of PATCH requests dropped mid-body")
    parser.add_argument("--chunk-kb", type=int, default=64, help="upload chunk for the interrupted run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()
    n = options.recordings
    figures: dict[str, object] = {"recordings": n, "parallel": options.parallel}

    work = Path(tempfile.mkdtemp(prefix="parley-bench-sync-"))
    server = Server().start()
    try:
        files = make_tones(
            work / "audio", n, int(options.min_seconds * 32), int(options.max_seconds * 32), seed=options.seed
        )
        total = sum(path.stat().st_size for path in files)
        figures["audio_bytes"] = total
        env = {"PARLEY_RETRY_BASE_MS": "50"}

        # 1. A library syncing everything, with the after-sync offload policy.
        device = Client(work / "home", env=env)
        device.login(server.url, server.add_user().token, offload="after-sync")
        started = time.monotonic()
        device.import_files(files)
        figures["import_seconds"] = round(time.monotonic() - started, 2)
        storage_before = device.storage()
        disk_before = disk_bytes(device.home / "audio")

        upload = device.sync("--parallel", str(options.parallel), timeout=1800)
        figures["upload_pass"] = {
            "exit": upload.returncode,
            "seconds": round(upload.seconds, 2),
            "requests": upload.report["requests"],
            "requests_per_recording": round(upload.report["requests"] / n, 2),
            "uploaded": upload.report["uploaded"],
            "bytes_sent": upload.report["bytes_sent"],
        }
        wait = device.sync("--wait", "--timeout", "1800", timeout=2000)
        figures["processing_pass"] = {
            "exit": wait.returncode,
            "seconds": round(wait.seconds, 2),
            "requests": wait.report["requests"],
            "completed": wait.report["completed"],
            "offloaded": wait.report["offloaded"],
        }
        figures["sync_total_seconds"] = round(upload.seconds + wait.seconds, 2)
        figures["requests_per_recording_total"] = round((upload.report["requests"] + wait.report["requests"]) / n, 2)
        figures["statuses"] = dict(device.statuses())

        idle = device.sync()
        figures["idle_pass"] = {
            "seconds": round(idle.seconds, 2),
            "requests": idle.report["requests"],
            "requests_per_recording": round(idle.report["requests"] / n, 3),
            "bytes_sent": idle.report["bytes_sent"],
        }
        storage_after = device.storage()
        figures["offload"] = {
            "policy": storage_after["policy"],
            "storage_local_bytes_before": storage_before["local_bytes"],
            "storage_local_bytes_after": storage_after["local_bytes"],
            "storage_offloaded_bytes_after": storage_after["offloaded_bytes"],
            "library_folder_bytes_before": disk_before,
            "library_folder_bytes_after": disk_bytes(device.home / "audio"),
            # The library's copies are hard links to the imported files when they share a
            # filesystem: offloading frees the space only once the originals go too.
            "source_folder_bytes_after": disk_bytes(work / "audio"),
        }

        # 2. The same recordings from another account, through drops.
        plan = FaultPlan(seed=options.seed, drop=options.drop, methods={"PATCH"})
        with FaultProxy(server.port, plan) as proxy:
            flaky = Client(work / "home-flaky", env={**env, "PARLEY_CHUNK_KB": str(options.chunk_kb)})
            flaky.login(server.url, server.add_user().token)
            flaky.point_at(proxy.url)
            flaky.import_files(files)
            started = time.monotonic()
            runs = until_settled(flaky, ["--parallel", str(options.parallel)])
            seconds = time.monotonic() - started
            sent = sum(run.report["bytes_sent"] for run in runs if run.report)
            figures["interrupted"] = {
                "chunk_kb": options.chunk_kb,
                "drop_share_of_patches": options.drop,
                "passes": len(runs),
                "seconds": round(seconds, 2),
                "patches_dropped": proxy.counts["drop PATCH"],
                "patches": proxy.counts["drop PATCH"] + proxy.counts["pass PATCH"],
                "client_bytes_sent": sent,
                "bytes_resent": sent - total,
                "bytes_resent_share": round((sent - total) / total, 4),
                "bytes_resent_per_drop": round((sent - total) / max(proxy.counts["drop PATCH"], 1)),
                # Bytes that reached the server beyond the audio itself: PATCH bodies it
                # refused (409 offset mismatch, 423 busy) while it was still finishing the
                # request the proxy dropped, plus any bytes it already had.
                "server_bytes_received": proxy.patch_bytes_forwarded,
                "server_bytes_extra": proxy.patch_bytes_forwarded - total,
                "patches_refused_409_423": proxy.counts["answered 409"] + proxy.counts["answered 423"],
                "requests": sum(run.report["requests"] for run in runs if run.report),
                "statuses": dict(flaky.statuses()),
            }
    finally:
        server.stop()
        server.remove()
        shutil.rmtree(work, ignore_errors=True)

    if options.json:
        print(json.dumps(figures, indent=2))
        return
    up, proc, idle_pass, off, bad = (
        figures["upload_pass"],
        figures["processing_pass"],
        figures["idle_pass"],
        figures["offload"],
        figures["interrupted"],
    )
    print(f"{n} recordings, {total / 1e6:.1f} MB of audio, parallel {options.parallel}")
    print(f"  import                 {figures['import_seconds']:8.2f} s")
    print(
        f"  upload pass            {up['seconds']:8.2f} s   {up['requests']:5d} requests = "
        f"{up['requests_per_recording']:.2f}/recording   {up['bytes_sent']} bytes sent (exit {up['exit']})"
    )
    print(
        f"  sync --wait            {proc['seconds']:8.2f} s   {proc['requests']:5d} requests   "
        f"{proc['completed']} processed, {proc['offloaded']} offloaded (exit {proc['exit']})"
    )
    print(
        f"  total                  {figures['sync_total_seconds']:8.2f} s   "
        f"{figures['requests_per_recording_total']:.2f} requests/recording   statuses {figures['statuses']}"
    )
    print(
        f"  second sync (idle)     {idle_pass['seconds']:8.2f} s   {idle_pass['requests']:5d} requests = "
        f"{idle_pass['requests_per_recording']:.3f}/recording   {idle_pass['bytes_sent']} bytes sent"
    )
    print(
        f"  offload ({off['policy']})   parley storage local bytes {off['storage_local_bytes_before']} -> "
        f"{off['storage_local_bytes_after']} (offloaded {off['storage_offloaded_bytes_after']}); "
        f"library folder on disk {off['library_folder_bytes_before']} -> {off['library_folder_bytes_after']} "
        f"(imported originals still {off['source_folder_bytes_after']}: hard links)"
    )
    print(
        f"  interrupted            {bad['seconds']:8.2f} s   {bad['passes']} passes, {bad['patches_dropped']} of "
        f"{bad['patches']} PATCHes dropped mid-body ({bad['chunk_kb']} KB chunks)"
    )
    print(
        f"                         client re-sent {bad['bytes_resent']} bytes = {bad['bytes_resent_share']:.2%} of "
        f"the audio ({bad['bytes_resent_per_drop']} per drop); the server received "
        f"{bad['server_bytes_extra']} bytes beyond the audio ({bad['patches_refused_409_423']} PATCHes "
        f"refused with 409/423 while it finished a dropped one); statuses {bad['statuses']}"
    )


if __name__ == "__main__":
    main()
