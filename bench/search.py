"""Search latency over 10,000 meetings × 40 segments with synthetic transcripts and
sentence vectors, by query class and mode.

    tests/.venv/bin/python bench/search.py [--meetings 10000] [--segments 40] [--queries 40]
        [--slow-queries N] [--only 'rare word,semantic'] [--baseline path/to/older/parley]

Seeds the server's SQLite database directly (the FTS5 index fills through its triggers;
one random unit vector per distinct segment text goes into `text_vector`, float16
little-endian under the text's hash, as the index stage stores them), then times
GET /api/v1/search over loopback. A second user owns 1 % of the meetings, to time a
viewer who may see little of a big database. With --baseline, an older build answers
the same queries on a copy, alternately first, for before/after figures under the
same load. Prints figures; asserts nothing.
Query vectors come from the server's own sentence model when it is installed (semantic
and hybrid say "keyword" in the mode column when it is not). "cpu ms" is the server's
CPU time per query (all threads; not the sentence model's process), which a busy
shared machine changes far less than latency.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from support import BINARY, free_port  # noqa: E402

WORDS = (
    "budget roadmap launch customer contract pricing onboarding design review hiring vendor server costs "
    "timeline marketing campaign quarter feedback release support tickets legal report slides board metrics "
    "retention churn migration database security audit invoice forecast headcount partner demo"
).split()
NAMES = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Radia"]
SYLLABLES = "ka lo mi ne ru sa ti vo pe da ga hi ju ko le mo na pi ro su ta ve wi xo ya zu".split()
DIMENSION = 384  # all-MiniLM-L6-v2


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    """Real speech has a long-tailed vocabulary: the meeting words first, then invented
    words, drawn by Zipf's law so a few are everywhere and most are rare."""
    invented = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)}
    return WORDS + sorted(invented - set(WORDS))[: size - len(WORDS)]


VOCABULARY: list[str] = []
ZIPF: list[float] = []


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choices(VOCABULARY, cum_weights=ZIPF, k=rng.randint(6, 16))).capitalize() + "."


class Vectors:
    """Random unit vectors, float16 little-endian, cheaply: a pool of random unit vectors,
    each drawn rotated by a random number of lanes and with random lanes negated (both
    keep the length), so 400k distinct ones take seconds, not minutes, in pure Python."""

    def __init__(self, rng: random.Random, pool: int = 512):
        self.rng = rng
        self.pool = []
        for _ in range(pool):
            v = [rng.gauss(0, 1) for _ in range(DIMENSION)]
            norm = sum(x * x for x in v) ** 0.5
            self.pool.append(struct.pack(f"<{DIMENSION}e", *(x / norm for x in v)))
        self.signs = [
            int.from_bytes(
                b"".join(struct.pack("<H", 0x8000 if rng.random() < 0.5 else 0) for _ in range(DIMENSION)), "little"
            )
            for _ in range(64)
        ]

    def next(self) -> bytes:
        base = self.rng.choice(self.pool)
        shift = self.rng.randrange(DIMENSION) * 2
        rotated = base[shift:] + base[:shift]
        return (int.from_bytes(rotated, "little") ^ self.rng.choice(self.signs)).to_bytes(DIMENSION * 2, "little")


def text_hash(text: str) -> str:
    """The server's key for a text's vector (SearchIndex.swift: SHA-256, first 12 bytes, hex)."""
    return hashlib.sha256(text.encode()).digest()[:12].hex()


def seed(db_path: Path, owners: list[str], meetings: int, segments: int, rng: random.Random) -> tuple[float, list[str]]:
    """Meetings (99 % the first owner's, 1 % the second's), their segments and vectors;
    returns the seconds taken and every segment text (to pick query words from)."""
    started = time.perf_counter()
    db = sqlite3.connect(db_path)
    now = time.time()
    vectors = Vectors(rng)
    texts: list[str] = []
    with db:
        for index in range(meetings):
            mid = str(uuid.uuid4())
            owner = owners[1] if index % 100 == 0 else owners[0]
            created = now - rng.uniform(0, 365 * 86400)
            db.execute(
                "INSERT INTO meeting (id, owner_id, is_personal, title, created_at, updated_at, sha256, size, status,"
                " progress, audio_path) VALUES (?, ?, 1, ?, ?, ?, ?, 1000, 'synced', 1, ?)",
                (
                    mid,
                    owner,
                    f"Meeting {index}",
                    created,
                    created,
                    uuid.uuid4().hex + uuid.uuid4().hex,
                    f"audio/{mid}/x",
                ),
            )
            rows, start = [], 0.0
            for position in range(segments):
                speaker = rng.randrange(4)
                length = rng.uniform(2, 12)
                text = sentence(rng)
                texts.append(text)
                rows.append(
                    (
                        mid,
                        position,
                        start,
                        start + length,
                        f"speaker_{speaker + 1}",
                        NAMES[speaker],
                        text,
                        text_hash(text),
                    )
                )
                start += length
            db.executemany(
                "INSERT INTO segment (meeting_id, position, start, end, speaker_id, speaker_name, text,"
                " text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.executemany(
                "INSERT OR IGNORE INTO text_vector (meeting_id, text_hash, vector) VALUES (?, ?, ?)",
                [(mid, row[-1], vectors.next()) for row in rows],
            )
    db.close()
    return time.perf_counter() - started, texts


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def sizes(db_path: Path) -> str:
    """Bytes per table or index (dbstat), the big ones."""
    db = sqlite3.connect(db_path)
    try:
        rows = db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6").fetchall()
    except sqlite3.OperationalError:
        return "(no dbstat in this sqlite3)"
    finally:
        db.close()
    return ", ".join(f"{name} {size / 2**20:.0f} MB" for name, size in rows)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def words_by_share(texts: list[str]) -> dict[str, float]:
    """Each word's share of segments containing it (as FTS5 would match it, roughly)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(text.lower().rstrip(".").split()))
    return {word: count / len(texts) for word, count in counts.items()}


def band(shares: dict[str, float], low: float, high: float) -> list[str]:
    """Words in a share band that are no prefix of another word (the last query word is a
    prefix match, and a short invented word could prefix many others)."""
    words = [w for w, s in shares.items() if low <= s <= high]
    return [w for w in words if not any(o != w and o.startswith(w) for o in shares)][:200]


class Server:
    """One `parley serve` over a data directory, with a session per seeded user."""

    def __init__(self, binary: Path, data: Path, tokens: list[str]):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(binary), "serve", "--data", str(data), "--port", str(self.port), "--rate-limit", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.sessions = []
        for token in tokens:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            self.sessions.append(session)

    def wait(self) -> None:
        for _ in range(1200):  # opening a copy of an older database migrates it first
            try:
                if self.sessions[0].get(self.base + "/health", timeout=1).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def search(self, params: dict, user: int) -> tuple[float, dict | None]:
        started = time.perf_counter()
        response = self.sessions[user].get(self.base + "/api/v1/search", params=params, timeout=300)
        elapsed = (time.perf_counter() - started) * 1000
        return elapsed, response.json() if response.status_code == 200 else {"status": response.status_code}

    def cpu_ms(self) -> float:
        """CPU time the server has used (all threads, not the sentence-model process):
        unlike latency, it hardly moves with what else the machine is running."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--segments", type=int, default=40)
    parser.add_argument("--queries", type=int, default=40, help="per query class")
    parser.add_argument("--slow-queries", type=int, help="per semantic or hybrid class (default: --queries)")
    parser.add_argument("--only", help="comma-separated query classes to run (default: all)")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another parley binary (an older build) to time against the "
        "current one: it creates and seeds the database, the current one gets a copy (and migrates "
        "it), and every query goes to both, alternately first, so both see the same machine load",
    )
    args = parser.parse_args()
    rng = random.Random(7)
    VOCABULARY.extend(vocabulary(rng))
    total = 0.0
    for rank in range(1, len(VOCABULARY) + 1):
        total += 1 / rank
        ZIPF.append(total)
    binaries = [args.baseline, BINARY] if args.baseline else [BINARY]
    data = Path(tempfile.mkdtemp(prefix="parley-search-bench-"))
    tokens = [
        subprocess.run(
            [str(binaries[0]), "user", "add", name, "--data", str(data)], check=True, capture_output=True, text=True
        ).stdout.strip()
        for name in ("bench", "guest")
    ]
    db_path = data / "parley.sqlite"
    owners = [
        sqlite3.connect(db_path).execute("SELECT id FROM user WHERE name = ?", (name,)).fetchone()[0]
        for name in ("bench", "guest")
    ]
    seconds, texts = seed(db_path, owners, args.meetings, args.segments, rng)
    print(
        f"seeded {args.meetings} meetings × {args.segments} segments (+ vectors) in {seconds:.1f} s "
        f"({db_path.stat().st_size / 2**20:.0f} MB database: {sizes(db_path)})"
    )
    directories = [data]
    if args.baseline:
        directories.append(Path(str(data) + "-current"))
        subprocess.run(["cp", "-a", str(data), str(directories[1])], check=True)
    shares = words_by_share(texts)
    rare, common, very_common = band(shares, 0.0001, 0.0005), band(shares, 0.005, 0.02), band(shares, 0.08, 0.12)
    near_stop = band(shares, 0.5, 1)
    print(
        f"query words: rare {len(rare)} (0.01–0.05 % of segments), common {len(common)} (0.5–2 %), "
        f"very common {len(very_common)} (8–12 %, e.g. {very_common[:3]}), near-stop {len(near_stop)} (over 50 %: "
        + ", ".join(f"{w} {shares[w]:.0%}" for w in near_stop[:3])
        + ")"
    )
    servers = [Server(binary, directory, tokens) for binary, directory in zip(binaries, directories)]
    try:
        for server in servers:
            server.wait()
        if args.baseline:
            print(f"after migration: {sizes(directories[1] / 'parley.sqlite')}")
        started_rss = [rss_mb(server.process.pid) for server in servers]

        def phrase() -> str:
            words = rng.choice(texts).rstrip(".").split()
            at = rng.randrange(len(words) - 2)
            return " ".join(words[at : at + 3])

        unique = iter(range(10**9))
        cases = {
            "rare word": lambda: {"q": rng.choice(rare), "mode": "keyword"},
            "common word": lambda: {"q": rng.choice(common), "mode": "keyword"},
            "very common word": lambda: {"q": rng.choice(very_common), "mode": "keyword"},
            "near-stop word": lambda: {"q": rng.choice(near_stop), "mode": "keyword"},
            "v.common 1% seen": lambda: ({"q": rng.choice(very_common), "mode": "keyword"}, 1),
            "phrase (3 words)": lambda: {"q": phrase(), "mode": "keyword"},
            "word + speaker": lambda: {"q": rng.choice(common), "speaker": rng.choice(NAMES[:4]), "mode": "keyword"},
            "word + date range": lambda: {
                "q": rng.choice(common),
                "from": time.strftime("%Y-%m-%d", time.gmtime(time.time() - 120 * 86400)),
                "to": time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400)),
                "mode": "keyword",
            },
            # Encoding alone: a new text each time (no cache can help) and nothing to rank.
            "encode only": lambda: {
                "q": f"{rng.choice(common)} {next(unique)}",
                "mode": "semantic",
                "from": "2100-01-01",
            },
            "semantic": lambda: {"q": f"{rng.choice(common)} {rng.choice(common)}", "mode": "semantic"},
            "semantic 1% seen": lambda: ({"q": f"{rng.choice(common)} {rng.choice(common)}", "mode": "semantic"}, 1),
            "hybrid v.common": lambda: {"q": rng.choice(very_common)},
            "hybrid 2 words": lambda: {"q": f"{rng.choice(common)} {rng.choice(common)}"},
        }
        if args.only:
            cases = {name: make for name, make in cases.items() if name in args.only.split(",")}
        labels = ["before", "after"] if args.baseline else [""]
        print(
            f"{'query':<20} "
            + " ".join(
                f"{(label + ' ' if label else '') + 'mode':<16} {'p50 ms':>8} {'p99 ms':>8} "
                f"{'max ms':>8} {'hits':>5} {'cpu ms':>7}"
                for label in labels
            )
        )
        for name, make in cases.items():
            latencies = [[] for _ in servers]
            hits = [0 for _ in servers]
            modes = [Counter() for _ in servers]
            slow = name.startswith(("semantic", "hybrid"))
            cpu = [0.0 for _ in servers]
            for attempt in range((args.slow_queries or args.queries) + 1 if slow else args.queries + 1):
                made = make()
                params, user = made if isinstance(made, tuple) else (made, 0)
                order = list(range(len(servers)))
                if attempt % 2:
                    order.reverse()
                for index in order:
                    before = servers[index].cpu_ms()
                    elapsed, body = servers[index].search(params, user)
                    if attempt:
                        cpu[index] += servers[index].cpu_ms() - before
                    if "status" in body:
                        modes[index][f"HTTP {body['status']}"] += 1
                        continue
                    if attempt == 0:
                        continue  # a warm-up (for "encode only", the sentence model's start)
                    latencies[index].append(elapsed)
                    hits[index] += len(body["hits"])
                    modes[index][body["mode"]] += 1
            cells = []
            for index in range(len(servers)):
                if not latencies[index]:
                    cells.append(f"{'/'.join(modes[index]) or '-':<16} {'(no answers)':>41}")
                    continue
                cells.append(
                    f"{'/'.join(modes[index]):<16} {statistics.median(latencies[index]):8.1f} "
                    f"{percentile(latencies[index], 0.99):8.1f} {max(latencies[index]):8.1f} "
                    f"{hits[index] // len(latencies[index]):5d} {cpu[index] / len(latencies[index]):7.1f}"
                )
            print(f"{name:<20} " + " ".join(cells), flush=True)
        for label, server, rss in zip(labels, servers, started_rss):
            print(
                f"{label or 'server'} resident memory: {rss:.0f} MB at start, "
                f"{rss_mb(server.process.pid):.0f} MB after the queries"
            )
    finally:
        for server in servers:
            server.stop()
        for directory in directories:
            subprocess.run(["rm", "-rf", str(directory)])


if __name__ == "__main__":
    main()
