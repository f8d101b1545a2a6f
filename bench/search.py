"""Search latency over 10,000 meetings with synthetic transcripts, and the summarize
stage's cost relative to transcription (from the stage timings a server records).

    tests/.venv/bin/python bench/search.py [--meetings 10000] [--segments 40] [--queries 300]

Seeds the server's SQLite database directly (the FTS5 index fills through its triggers),
then times GET /api/v1/search over loopback. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from support import BINARY, free_port  # noqa: E402

WORDS = ("budget roadmap launch customer contract pricing onboarding design review hiring vendor server costs "
         "timeline marketing campaign quarter feedback release support tickets legal report slides board metrics "
         "retention churn migration database security audit invoice forecast headcount partner demo").split()
NAMES = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Radia"]
SYLLABLES = "ka lo mi ne ru sa ti vo pe da ga hi ju ko le mo na pi ro su ta ve wi xo ya zu".split()


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    """Real speech has a long-tailed vocabulary: the meeting words first, then invented
    words, drawn by Zipf's law so a few are everywhere and most are rare."""
    invented = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)}
    return WORDS + sorted(invented - set(WORDS))[: size - len(WORDS)]


VOCABULARY: list[str] = []
ZIPF: list[float] = []


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choices(VOCABULARY, cum_weights=ZIPF, k=rng.randint(6, 16))).capitalize() + "."


def content_word(rng: random.Random) -> str:
    """A query word of middling frequency: what people actually search for."""
    return VOCABULARY[rng.randint(20, 1500)]


def seed(db_path: Path, owner: str, meetings: int, segments: int, rng: random.Random) -> float:
    started = time.perf_counter()
    db = sqlite3.connect(db_path)
    now = time.time()
    with db:
        for index in range(meetings):
            mid = str(uuid.uuid4())
            created = now - rng.uniform(0, 365 * 86400)
            db.execute(
                "INSERT INTO meeting (id, owner_id, is_personal, title, created_at, updated_at, sha256, size, status,"
                " progress, audio_path) VALUES (?, ?, 1, ?, ?, ?, ?, 1000, 'synced', 1, ?)",
                (mid, owner, f"Meeting {index}", created, created, uuid.uuid4().hex + uuid.uuid4().hex, f"audio/{mid}/x"))
            rows, start = [], 0.0
            for position in range(segments):
                speaker = rng.randrange(4)
                length = rng.uniform(2, 12)
                rows.append((mid, position, start, start + length, f"speaker_{speaker + 1}", NAMES[speaker], sentence(rng)))
                start += length
            db.executemany("INSERT INTO segment (meeting_id, position, start, end, speaker_id, speaker_name, text)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.close()
    return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--segments", type=int, default=40)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    VOCABULARY.extend(vocabulary(rng))
    total = 0.0
    for rank in range(1, len(VOCABULARY) + 1):
        total += 1 / rank
        ZIPF.append(total)
    data = Path(tempfile.mkdtemp(prefix="parley-search-bench-"))
    token = subprocess.run([str(BINARY), "user", "add", "bench", "--data", str(data)], check=True,
                           capture_output=True, text=True).stdout.strip()
    db_path = data / "parley.sqlite"
    owner = sqlite3.connect(db_path).execute("SELECT id FROM user").fetchone()[0]
    seconds = seed(db_path, owner, args.meetings, args.segments, rng)
    print(f"seeded {args.meetings} meetings × {args.segments} segments in {seconds:.1f} s "
          f"({db_path.stat().st_size / 2**20:.0f} MB database)")
    port = free_port()
    server = subprocess.Popen([str(BINARY), "serve", "--data", str(data), "--port", str(port), "--rate-limit", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        for _ in range(100):
            try:
                if session.get(base + "/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        cases = {
            "one word": lambda: {"q": content_word(rng)},
            "two words": lambda: {"q": f"{content_word(rng)} {content_word(rng)}"},
            "word + speaker": lambda: {"q": content_word(rng), "speaker": rng.choice(NAMES)},
            "word + date range": lambda: {"q": content_word(rng), "from": "2026-06-01", "to": "2026-09-01"},
            "common word": lambda: {"q": rng.choice(WORDS[:5])},
        }
        print(f"{'query':<18} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'hits':>6}")
        for name, make in cases.items():
            latencies, hits = [], 0
            for _ in range(args.queries // len(cases)):
                started = time.perf_counter()
                response = session.get(base + "/api/v1/search", params=make(), timeout=30)
                latencies.append((time.perf_counter() - started) * 1000)
                hits += len(response.json()["hits"])
            print(f"{name:<18} {statistics.median(latencies):8.1f} {percentile(latencies, 0.99):8.1f} "
                  f"{max(latencies):8.1f} {hits // len(latencies):6d}")
    finally:
        server.terminate()
        server.wait(20)
        subprocess.run(["rm", "-rf", str(data)])


if __name__ == "__main__":
    main()
