#!/usr/bin/env python3
"""Hostile clients against a real `parley serve` on loopback (see README.md, "Abuse").

Prints figures only; asserts no timing. Four scenarios:

1. server RSS while 20 clients each stream a 100 MB multipart body of random bytes to the
   OpenAI-compatible POST /v1/audio/transcriptions (4 slots; beyond them 503 + Retry-After), with
   what each client was answered and how slow GET /health got meanwhile;
2. seconds until a stalled connection is dropped at the default PARLEY_IDLE_TIMEOUT (30 s):
   half a request line, and a tus PATCH whose body stops; then whether the next PATCH resumes;
3. disk written for a "silent FLAC bomb" (10 h of silence, ~7 MB) besides the original;
4. p50/p99 of GET /api/v1/meetings/summary?limit=50 idle and while 200 idle TCP connections
   and 20 stalled tus PATCHes are held open (server with PARLEY_IDLE_TIMEOUT=120).

    tests/.venv/bin/python bench/abuse.py [--json] [--keep]      # PARLEY_BINARY picks another build
"""

from __future__ import annotations

import argparse, json, math, os, shutil, socket, sys, tempfile, threading, time, uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
os.environ.pop("PARLEY_IDLE_TIMEOUT", None)  # scenario 2 needs the server's own default (30 s)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from support import BINARY, TUS, ParleyServer, closed_within, sha256, silent_flac, tus_metadata  # noqa: E402

MB = 1 << 20
STREAM = "application/offset+octet-stream"
UPLOAD_BODIES_PER_USER = 4  # stalled uploads per user: under the server's per-user cap (8; 429 beyond)


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) << 10 for line in f if line.startswith("VmRSS"))


def stats(seconds: list[float]) -> dict:
    s = sorted(x * 1000 for x in seconds)
    at = lambda p: round(s[min(len(s) - 1, int(p / 100 * len(s)))], 2) if s else None
    return {"n": len(s), "p50": at(50), "p99": at(99), "max": round(s[-1], 2) if s else None}


def still_open(sock: socket.socket) -> bool:
    """True if the server neither closed nor answered `sock` (a non-blocking peek finds nothing)."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)  # returns: closed (b"") or answered (say a 429)
    except BlockingIOError:
        return True
    except OSError:
        pass
    return False


def tus_create(user, length: int, data_sha: str) -> str:
    """A tus upload of `length` bytes; returns its path (the Location may be absolute)."""
    r = user.post(
        "/api/v1/uploads",
        headers={
            **TUS,
            "Upload-Length": str(length),
            "Upload-Metadata": tus_metadata(sha256=data_sha, filename="a.wav"),
        },
    )
    assert r.status_code == 201, r.text
    return "/api/v1/uploads/" + r.headers["Location"].rsplit("/", 1)[1]


def stalled_patch(server, user, path: str, length: int, partial: bytes) -> socket.socket:
    """A raw PATCH declaring `length` bytes that sends only `partial`, then nothing."""
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(
        (
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {user.token}\r\n"
            f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: {STREAM}\r\n"
            f"Content-Length: {length}\r\n\r\n"
        ).encode()
        + partial
    )
    return sock


def multipart_body(boundary: str, size: int, seed: int):
    """The form as a stream of pieces: a `model` field and `size` bytes of random not-audio in
    the `file` part; each request has its own random block, so no two dedupe."""
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big-{seed}.wav\"\r\n"
        f"Content-Type: audio/wav\r\n\r\n"
    ).encode()
    block = memoryview(os.urandom(MB))
    yield head
    for sent in range(0, size, MB):
        yield block[: min(MB, size - sent)]
    yield f"\r\n--{boundary}--\r\n".encode()


def scenario_memory(server, user, posts: int, size: int) -> dict:
    pid, samples, done, idle = server.process.pid, [], threading.Event(), []
    for _ in range(10):  # the baseline is the median of 10 idle samples
        idle.append(rss(pid)), time.sleep(0.05)
    baseline = sorted(idle)[5]

    def sample():  # every 50 ms; bounded by the posts' own timeouts below
        while not done.is_set():
            samples.append(rss(pid))
            time.sleep(0.05)

    health = []  # (seconds, ok): does the rest of the server stay responsive meanwhile?

    def probe_health():
        for _ in range(2000):  # ends with the posts; the cap only bounds the loop
            if done.is_set():
                return
            start = time.monotonic()
            try:
                ok = requests.get(server.url + "/health", timeout=120).status_code == 200
            except requests.RequestException:
                ok = False
            health.append((time.monotonic() - start, ok))
            time.sleep(0.25)

    def post(seed: int):
        """One streamed (chunked) post on a raw socket with a reader thread. requests reads the
        answer only after sending the whole body, so an early 503 followed by a reset would
        look like a bare connection error; here we see what the server said, and when."""
        boundary, start, seen = f"parley-abuse-{uuid.uuid4().hex}", time.monotonic(), {}
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=240)

        def read():
            try:
                first = sock.recv(4096)
                if first.startswith(b"HTTP/1.1 "):
                    seen["status"], seen["answer_s"] = int(first.split(b" ")[1]), time.monotonic() - start
                while first and sock.recv(65536):  # until the server closes it (or the timeout)
                    pass
            except OSError:  # reset by the server
                pass
            seen["closed_s"] = time.monotonic() - start

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            sock.sendall(
                (
                    f"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {user.token}"
                    f"\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nTransfer-Encoding: chunked"
                    f"\r\nConnection: close\r\n\r\n"
                ).encode()
            )
            for piece in multipart_body(boundary, size, seed):
                sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # refused or cut off: the reader has (or has not) seen an answer
        reader.join(250)
        sock.close()
        return seen.get("status", "no answer"), seen.get("answer_s"), seen.get("closed_s") or time.monotonic() - start

    watchers = [threading.Thread(target=sample), threading.Thread(target=probe_health)]
    [t.start() for t in watchers]
    start = time.monotonic()  # every post is bounded by its socket timeout (240 s) and the server's idle timeout
    try:
        with ThreadPoolExecutor(posts) as pool:
            outcomes = list(pool.map(post, range(posts)))
    finally:
        done.set()
        [t.join() for t in watchers]
    wall = time.monotonic() - start
    time.sleep(2)
    answered, closed = {}, {}
    for status, answer_s, closed_s in outcomes:
        answered.setdefault(str(status), []).extend([answer_s] if answer_s is not None else [])
        closed.setdefault(str(status), []).append(closed_s)
    spread = lambda v: [round(min(v), 1), round(sorted(v)[len(v) // 2], 1), round(max(v), 1)]
    leftovers = list((server.data_dir / "uploads").glob("openai-*"))  # bodies are deleted after each request
    return {
        "posts": posts,
        "post_bytes": size,
        "wall_s": round(wall, 1),
        "baseline_MB": round(baseline / MB, 1),
        "peak_MB": round(max(samples + [baseline]) / MB, 1),
        "growth_MB": round((max(samples + [baseline]) - baseline) / MB, 1),
        "after_2s_MB": round(rss(pid) / MB, 1),
        "samples": len(samples),
        "statuses": {k: len(v) for k, v in sorted(closed.items())},
        "s_to_answer_by_status": {k: spread(v) for k, v in sorted(answered.items()) if v},
        "s_to_close_by_status": {k: spread(v) for k, v in sorted(closed.items())},
        "leftover_bodies": len(leftovers),
        "health_probes": len(health),
        "health_max_s": round(max((h for h, _ in health), default=0), 2),
        "health_over_1s": sum(h > 1 for h, _ in health),
        "health_failed": sum(not ok for _, ok in health),
    }


def scenario_stalls(server, user) -> dict:
    data = os.urandom(200_000)
    path = tus_create(user, len(data), sha256(data))
    result = {}

    def half_line():
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"GET /api/v1/meet")
            result["half_request_line_s"] = closed_within(sock, 75)  # None = still open after 75 s

    def stalled_body():
        with stalled_patch(server, user, path, len(data), data[:50_000]) as sock:
            result["stalled_patch_s"] = closed_within(sock, 75)

    threads = [threading.Thread(target=half_line), threading.Thread(target=stalled_body)]
    [t.start() for t in threads]  # both wait out the same timeout side by side: ~30 s, not 60
    [t.join() for t in threads]
    # The next PATCH, sent at once. A 423 means the dropped PATCH still holds the upload's lock:
    # retry every 0.2 s (at most 10 s) and report how long the lock outlived the connection.
    head, first, start = user.request("HEAD", path, headers=TUS), None, time.monotonic()
    offset = int(head.headers.get("Upload-Offset", 0)) if head.status_code == 200 else 0
    for attempt in range(50):
        resumed = user.request(
            "PATCH", path, data=data[offset:], headers={**TUS, "Upload-Offset": str(offset), "Content-Type": STREAM}
        )
        first = first or resumed.status_code
        if resumed.status_code != 423:
            break
        time.sleep(0.2)
    meeting = resumed.headers.get("Parley-Meeting-Id")
    if meeting:  # random bytes: stop the queue from trying them
        user.post(f"/api/v1/meetings/{meeting}/cancel")
    for key in ("half_request_line_s", "stalled_patch_s"):
        result[key] = None if result.get(key) is None else round(result[key], 1)
    return {
        **result,
        "head_status": head.status_code,
        "stored_offset": offset,
        "first_patch_status": first,
        "resume_patch_status": resumed.status_code,
        "resume_attempts": attempt + 1,
        "resume_after_s": round(time.monotonic() - start, 2),
        "resumed_bytes_match": bool(meeting) and user.original(meeting) == data,
    }


def scenario_bomb(server, user, work: Path) -> dict:
    bomb = silent_flac(work / "silence.flac", 36000)  # 7 MB that would decode to 1.15 GB of 16 kHz PCM
    size, start = bomb.stat().st_size, time.monotonic()
    meeting = user.upload(bomb.read_bytes(), filename="silence.flac", title="bomb", content_type="audio/flac")
    folder, peak, status = server.data_dir / "audio" / meeting["id"], 0, {}

    def besides_original() -> int:  # files may come and go while we look
        total = 0
        for p in folder.iterdir() if folder.exists() else []:
            try:
                total += 0 if p.name.startswith("original") else p.stat().st_size
            except FileNotFoundError:
                pass
        return total

    for _ in range(1800):  # 0.1 s steps: at most 3 minutes
        peak = max(peak, besides_original())
        status = user.status(meeting["id"])
        if status["status"] in ("failed", "synced"):
            break
        time.sleep(0.1)
    files = sorted((p.name, p.stat().st_size) for p in folder.iterdir()) if folder.exists() else []
    bomb.unlink()
    return {
        "upload_bytes": size,
        "status": status.get("status"),
        "failure_reason": status.get("failure_reason"),
        "seconds_to_verdict": round(time.monotonic() - start, 1),
        "written_besides_original": besides_original(),
        "peak_written_besides_original": peak,
        "files": files,
    }


def timed_summaries(user, count: int) -> list[float]:
    """`count` sequential GETs on the user's one keep-alive session; failures are not timed."""
    out = []
    for _ in range(count):
        start = time.perf_counter()
        r = user.get("/api/v1/meetings/summary", params={"limit": 50})
        if r.status_code == 200:
            out.append(time.perf_counter() - start)
    return out


def scenario_latency(work: Path, meetings: int, count: int, idle_conns: int, stalled: int) -> dict:
    server = ParleyServer(work / "held", env={"PARLEY_IDLE_TIMEOUT": "120", "PARLEY_RATE_LIMIT": "0"}).start()
    held: list[socket.socket] = []
    try:
        reader = server.add_user("reader")
        cancels = Counter()
        for i in range(meetings):  # small distinct byte strings, cancelled at once: no model work runs
            m = reader.upload(
                f"parley abuse bench meeting {i} {uuid.uuid4()}".encode() * 64, filename=f"m{i}.wav", title=f"m{i}"
            )
            cancels[reader.post(f"/api/v1/meetings/{m['id']}/cancel").status_code] += 1
        items = len(reader.get("/api/v1/meetings/summary", params={"limit": 50}).json()["items"])
        timed_summaries(reader, 20)  # warm-up
        fds = lambda: len(os.listdir(f"/proc/{server.process.pid}/fd"))
        fds_idle, idle = fds(), timed_summaries(reader, count)
        # The held phase: idle sockets first, then stalled PATCHes spread so no user passes its cap.
        for _ in range(idle_conns):
            held.append(socket.create_connection(("127.0.0.1", server.port)))
        uploaders = [server.add_user(f"stall{u}") for u in range(math.ceil(stalled / UPLOAD_BODIES_PER_USER))]
        for i in range(stalled):
            user, data = uploaders[i // UPLOAD_BODIES_PER_USER], os.urandom(1 << 20)
            held.append(
                stalled_patch(server, user, tus_create(user, len(data), sha256(data)), len(data), data[: 64 << 10])
            )
        time.sleep(1)  # a refused PATCH (429) would have been answered by now
        stalled_open = sum(still_open(s) for s in held[idle_conns:])
        fds_held, start = fds(), time.monotonic()
        busy = timed_summaries(reader, count)
        held_seconds = time.monotonic() - start
        open_after = sum(still_open(s) for s in held)
        a, b = stats(idle), stats(busy)
        return {
            "meetings": meetings,
            "cancel_statuses": dict(cancels),
            "items_per_page": items,
            "idle": a,
            "held": b,
            "held_phase_s": round(held_seconds, 1),
            "server_fds_idle": fds_idle,
            "server_fds_held": fds_held,
            "stalled_uploads_unanswered": stalled_open,
            "held_open_after": open_after,
            "held_total": len(held),
            "p99_within_1_5x": b["p99"] is not None and a["p99"] is not None and b["p99"] <= a["p99"] * 1.5,
        }
    finally:
        for sock in held:
            sock.close()
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument(
        "--post-mb", type=float, default=100, help="file part per post, in 10^6 bytes (the cap is 100 MiB of body)"
    )
    ap.add_argument("--meetings", type=int, default=50)
    ap.add_argument("--requests", type=int, default=300, help="sequential summary requests per latency phase")
    ap.add_argument("--idle-conns", type=int, default=200)
    ap.add_argument("--stalled", type=int, default=20)
    ap.add_argument("--json", action="store_true", help="print a JSON summary at the end")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (server logs)")
    args = ap.parse_args()
    work, report, server = Path(tempfile.mkdtemp(prefix="parley-abuse-")), {}, None
    print(f"binary {BINARY}  work {work}  load {os.getloadavg()}  cpus {os.cpu_count()}", flush=True)
    started = time.monotonic()
    try:
        server = ParleyServer(work / "default").start()  # default idle timeout, rate limit off
        user = server.add_user("hostile")

        m = report["memory"] = scenario_memory(server, user, args.posts, int(args.post_mb * 1e6))
        print(
            f"[1] server RSS during {m['posts']} concurrent {m['post_bytes'] / 1e6:.0f} MB OpenAI posts: baseline "
            f"{m['baseline_MB']} MB, peak {m['peak_MB']} MB, growth {m['growth_MB']} MB ({m['samples']} samples, "
            f"{m['after_2s_MB']} MB 2 s after)\n    statuses {m['statuses']}  wall {m['wall_s']} s  bodies left in uploads/: {m['leftover_bodies']}\n"
            f"    seconds to answer min/median/max {m['s_to_answer_by_status']}, to close {m['s_to_close_by_status']}\n    GET /health meanwhile: "
            f"{m['health_probes']} probes, slowest {m['health_max_s']} s, {m['health_over_1s']} over 1 s, "
            f"{m['health_failed']} failed",
            flush=True,
        )

        s = report["stalls"] = scenario_stalls(server, user)
        print(
            f"[2] idle timeout 30 s (default): half request line dropped after {s['half_request_line_s']} s, stalled tus "
            f"PATCH after {s['stalled_patch_s']} s\n    next PATCH resumes from offset {s['stored_offset']} (HEAD "
            f"{s['head_status']}): first PATCH {s['first_patch_status']}, then {s['resume_patch_status']} after "
            f"{s['resume_attempts']} attempt(s), {s['resume_after_s']} s; stored bytes match: {s['resumed_bytes_match']}",
            flush=True,
        )

        b = report["bomb"] = scenario_bomb(server, user, work)
        print(
            f"[3] silent FLAC bomb (10 h of 8 kHz silence): upload {b['upload_bytes'] / MB:.1f} MB, written besides the "
            f"original {b['written_besides_original']} B (peak seen {b['peak_written_besides_original']} B), "
            f"{b['status']} after {b['seconds_to_verdict']} s: {b['failure_reason']!r}\n    files {b['files']}",
            flush=True,
        )
        server.stop()

        h = report["latency"] = scenario_latency(work, args.meetings, args.requests, args.idle_conns, args.stalled)
        print(
            f"[4] GET /api/v1/meetings/summary?limit=50 ({h['items_per_page']} items, {h['meetings']} cancelled meetings, "
            f"cancel statuses {h['cancel_statuses']}), {args.requests} sequential requests per phase, ms:",
            flush=True,
        )
        for name, label in (("idle", "idle server"), ("held", f"{args.idle_conns} idle + {args.stalled} stalled held")):
            print(
                f"    {label:<28} p50 {h[name]['p50']:>7}  p99 {h[name]['p99']:>7}  max {h[name]['max']:>7}  n {h[name]['n']}"
            )
        print(
            f"    held p99 <= idle p99 x 1.5: {h['p99_within_1_5x']}  (server fds {h['server_fds_idle']} -> "
            f"{h['server_fds_held']}; stalled PATCHes unanswered {h['stalled_uploads_unanswered']}/{args.stalled}; "
            f"held still open after {h['held_open_after']}/{h['held_total']}; held phase {h['held_phase_s']} s)",
            flush=True,
        )
    except BaseException:
        args.keep = True  # keep server.log for the post-mortem
        if server:
            print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        if server:
            server.stop()
        report["seconds"], report["load_after"] = round(time.monotonic() - started, 1), os.getloadavg()
        print(f"done in {report['seconds']} s, load {report['load_after']}", flush=True)
        if args.json:
            print(json.dumps(report, indent=1))
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
