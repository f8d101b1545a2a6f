#!/usr/bin/env python3
"""How long the last tus PATCH of a large upload takes, against the ones before it.

The last PATCH is where the server turns the upload into a meeting: before 2026-11-28 it
re-read the whole file to hash it, under the upload's lock; now the hash is kept while the
bytes arrive. Prints figures only; asserts nothing.

    tests/.venv/bin/python bench/upload_completion.py [--mb 1024] [--chunk-mb 64] [--baseline OLD_BINARY]

With --baseline, both builds run in the same invocation, alternating, on the same bytes
(this machine is shared and noisy). Servers run with PARLEY_LOCAL_WORKERS=0 so no engine
competes for the disk or the cores.
"""

from __future__ import annotations

import argparse, hashlib, os, statistics, sys, tempfile, time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from support import BINARY, TUS, ParleyServer, tus_metadata  # noqa: E402

MB = 1 << 20


def one_upload(binary: Path, data: Path, digest: str, size: int, chunk: int) -> tuple[float, float]:
    """(median ms of the PATCHes before the last, ms of the last one) for one fresh server."""
    with tempfile.TemporaryDirectory(prefix="parley-bench-upload-") as home:
        server = ParleyServer(Path(home), env={"PARLEY_LOCAL_WORKERS": "0"}, binary=binary).start()
        try:
            user = server.add_user()
            created = requests.post(
                server.url + "/api/v1/uploads",
                headers={
                    **TUS,
                    "Authorization": f"Bearer {user.token}",
                    "Upload-Length": str(size),
                    "Upload-Metadata": tus_metadata(sha256=digest, filename="big.wav"),
                },
                timeout=30,
            )
            assert created.status_code == 201, created.text
            location = created.headers["Location"]
            url = location if location.startswith("http") else server.url + location
            times = []
            with open(data, "rb") as source:
                offset = 0
                while offset < size:
                    body = source.read(chunk)
                    started = time.perf_counter()
                    answer = requests.patch(
                        url,
                        data=body,
                        timeout=600,
                        headers={
                            **TUS,
                            "Authorization": f"Bearer {user.token}",
                            "Upload-Offset": str(offset),
                            "Content-Type": "application/offset+octet-stream",
                        },
                    )
                    times.append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 204, answer.text
                    offset += len(body)
            return statistics.median(times[:-1]), times[-1]
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=1024)
    parser.add_argument("--chunk-mb", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="an older parley binary to compare with")
    args = parser.parse_args()
    size, chunk = args.mb * MB, args.chunk_mb * MB
    builds = {"this build": BINARY} | ({"baseline": args.baseline} if args.baseline else {})
    with tempfile.TemporaryDirectory(prefix="parley-bench-bytes-") as scratch:
        data = Path(scratch) / "big.bin"
        hasher = hashlib.sha256()
        with open(data, "wb") as out:
            for _ in range(args.mb):
                block = os.urandom(MB)
                hasher.update(block)
                out.write(block)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in builds}
        for _ in range(args.rounds):
            for name, binary in builds.items():
                results[name].append(one_upload(binary, data, hasher.hexdigest(), size, chunk))
    print(f"{args.mb} MB in {args.chunk_mb} MB PATCHes, {args.rounds} rounds (ms, median over rounds)")
    print(f"{'build':<12} {'other PATCHes':>14} {'last PATCH':>11}")
    for name, rows in results.items():
        print(
            f"{name:<12} {statistics.median(r[0] for r in rows):>14.0f} {statistics.median(r[1] for r in rows):>11.0f}"
        )


if __name__ == "__main__":
    main()
