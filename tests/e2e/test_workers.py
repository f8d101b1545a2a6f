"""Remote workers: `parley serve --no-local-workers` coordinating `parley worker` processes
on loopback (the real binaries, real HTTP), and the worker API driven by hand for what a
real worker never sends. Model output is never compared word for word: transcripts must
exist and agree with what the server itself returned."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time

import pytest
import requests

from support import ParleyServer, make_audio, squashed, wait_for, web_session
from worker_support import (
    FaultyProxy,
    HandWorker,
    WorkerProcess,
    fake_recognition,
    stage_of,
    wait_for_stage,
    worker_token,
)

COORDINATOR = {"PARLEY_LOCAL_WORKERS": "0", "PARLEY_LEASE_SECONDS": "4"}


@pytest.fixture
def coordinator():
    server = ParleyServer(env=COORDINATOR).start()
    yield server
    server.stop()
    server.remove()


def stage_results(server: ParleyServer) -> list[tuple[str, str, int]]:
    with sqlite3.connect(server.data_dir / "parley.sqlite") as db:
        return db.execute("SELECT meeting_id, stage, COUNT(*) FROM stage_result GROUP BY 1, 2").fetchall()


def metric(server: ParleyServer, name: str) -> float:
    for line in requests.get(server.url + "/metrics", timeout=10).text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def test_two_workers_finish_ten_uploads_and_survive_a_kill(coordinator, tmp_path):
    owner = coordinator.add_user("owner")
    token = worker_token(coordinator, "owner")
    workers = [WorkerProcess(coordinator, token, name).start() for name in ("worker-a", "worker-b")]
    try:
        # The first meeting is long enough to be killed in the middle of.
        files = [make_audio(tmp_path / "long.wav", 90)] + [make_audio(tmp_path / f"m{i}.wav", 8) for i in range(9)]
        meetings = [owner.upload(path.read_bytes(), title=path.stem) for path in files]
        assert coordinator.engine_pids() == [], "a coordinator starts no engine"

        long_id = meetings[0]["id"]
        status = wait_for_stage(owner, long_id, "transcribe", "running", timeout=120)
        holder = stage_of(status, "transcribe")["worker"]
        assert holder.startswith(("worker-a", "worker-b")), holder
        # Mid-transcription: the worker reported progress through its heartbeats.
        wait_for(lambda: stage_of(owner.status(long_id), "transcribe")["progress"] > 0, 60, what="progress")
        victim, survivor = (workers[0], workers[1]) if holder.startswith("worker-a") else (workers[1], workers[0])
        victim.kill9()

        finished = [owner.wait_status(m["id"], timeout=600) for m in meetings]
        assert [s["status"] for s in finished] == ["synced"] * 10, [s.get("failure_reason") for s in finished]
        again = stage_of(owner.status(long_id), "transcribe")
        assert again["worker"].startswith(survivor.name), again
        assert again["attempts"] == 2, again  # one lost with the killed worker, one that finished
        for meeting in meetings:
            detail = owner.get(f"/api/v1/meetings/{meeting['id']}").json()
            segments = detail["transcript"]["segments"]
            assert segments and squashed(" ".join(s["text"] for s in segments)), meeting["title"]
        # Exactly one result per stage and meeting; nothing uploaded twice.
        results = stage_results(coordinator)
        stages = len(owner.status(meetings[0]["id"])["stages"])
        assert len(results) == 10 * stages and all(count == 1 for _, _, count in results), results
        assert len(owner.meetings()) == 10
        assert metric(coordinator, "parley_upload_bytes_total") == sum(p.stat().st_size for p in files)
        assert coordinator.engine_pids() == []
        assert survivor.process.poll() is None, survivor.log()[-2000:]
    finally:
        for worker in workers:
            worker.kill9()


def test_a_model_only_one_worker_offers_goes_to_that_worker(coordinator, tmp_path):
    owner = coordinator.add_user("owner")  # the first user: an administrator
    token = worker_token(coordinator, "owner")
    plain = WorkerProcess(coordinator, token, "plain").start()
    special = None
    try:
        meeting = owner.upload(make_audio(tmp_path / "routed.wav", 8).read_bytes(), title="routed")
        assert owner.wait_status(meeting["id"], timeout=180)["status"] == "synced"
        first = owner.get(f"/api/v1/meetings/{meeting['id']}").json()["transcript"]

        # "big-test" is an alias the special worker gives to the bundled tiny.en (--offer
        # NAME=MODEL): what is routed is the name the meeting asked for.
        response = owner.post(
            f"/api/v1/meetings/{meeting['id']}/process-async", json={"from_stage": "transcribe", "model": "big-test"}
        )
        assert response.status_code == 202, response.text
        status = owner.status(meeting["id"])
        assert status["status"] == "queued" and "big-test" in status["waiting_reason"], status
        time.sleep(8)  # several claims by the plain worker come and go
        status = owner.status(meeting["id"])
        transcribe = stage_of(status, "transcribe")
        assert transcribe["state"] == "queued" and transcribe["model"] == "big-test", status
        assert "worker" not in transcribe, "the plain worker must never take it"

        special = WorkerProcess(coordinator, token, "special", "--offer", "big-test=tiny.en").start()
        assert owner.wait_status(meeting["id"], timeout=180)["status"] == "synced"
        transcribe = stage_of(owner.status(meeting["id"]), "transcribe")
        assert transcribe["worker"].startswith("special"), transcribe
        second = owner.get(f"/api/v1/meetings/{meeting['id']}").json()["transcript"]
        assert squashed(" ".join(s["text"] for s in second["segments"])) == squashed(
            " ".join(s["text"] for s in first["segments"])
        ), "the alias runs the same model"

        listed = owner.get("/api/v1/workers")
        assert listed.status_code == 200, listed.text
        by_name = {w["name"]: w for w in listed.json()}
        assert set(by_name) == {"plain", "special"}, by_name
        assert "big-test" in by_name["special"]["models"] and "big-test" not in by_name["plain"]["models"]
        assert by_name["special"]["jobs_completed"] >= 1
        assert metric(coordinator, "parley_workers_connected") == 2
        # The administrator's dashboard lists them too.
        cookies = {"parley_session": web_session(coordinator.url, owner.token)}
        page = requests.get(coordinator.url + "/", cookies=cookies, timeout=30).text
        assert 'id="workers"' in page and "special" in page and "big-test" in page, page[-2000:]
        # Not an administrator: no worker list, in the API or on the page.
        someone = coordinator.add_user("someone")
        assert someone.get("/api/v1/workers").status_code == 403
        page = requests.get(
            coordinator.url + "/", cookies={"parley_session": web_session(coordinator.url, someone.token)}, timeout=30
        ).text
        assert 'id="workers"' not in page
    finally:
        plain.kill9()
        if special:
            special.kill9()


def test_a_worker_token_reads_nothing_it_does_not_hold(coordinator, tmp_path):
    owner = coordinator.add_user("owner")
    hand = HandWorker(coordinator, worker_token(coordinator, "owner"), "hand-1")
    stranger = HandWorker(coordinator, worker_token(coordinator, "owner"), "hand-2")
    data = make_audio(tmp_path / "held.wav", 6).read_bytes()
    meeting = owner.upload(data, title="held")
    mid = meeting["id"]
    wait_for_stage(owner, mid, "transcribe", "queued", timeout=60)

    worker_session = hand.session
    for method, path in [
        ("GET", "/api/v1/meetings/summary"),
        ("GET", f"/api/v1/meetings/{mid}"),
        ("GET", f"/api/v1/meetings/{mid}/audio/stream"),
        ("GET", f"/api/v1/meetings/{mid}/status"),
        ("POST", "/api/v1/meetings"),
        ("POST", "/api/v1/uploads"),
        ("GET", "/api/v1/search?q=x"),
        ("GET", "/api/v1/tokens"),
        ("GET", "/api/v1/workers"),
        ("GET", "/metrics"),
        ("GET", "/"),
        ("GET", "/api/v1/events"),
    ]:
        response = worker_session.request(method, coordinator.url + path, timeout=10, stream=True)
        response.close()
        assert response.status_code == 403, (method, path, response.status_code)
    # A worker token opens no web session either.
    signin = requests.post(coordinator.url + "/login", data={"token": hand.token}, allow_redirects=False, timeout=10)
    assert "parley_session" not in signin.cookies

    # Nothing held yet: no audio.
    assert hand.audio(1).status_code == 404
    claimed = hand.claim(stages=["transcribe"])
    assert claimed.status_code == 200, claimed.text
    job = claimed.json()
    assert job["meeting_id"] == mid and job["stage"] == "transcribe" and job["audio_sha256"] == meeting["sha256"]
    audio = hand.audio(job["job_id"])
    assert audio.status_code == 200 and hashlib.sha256(audio.content).hexdigest() == meeting["sha256"]
    part = hand.audio(job["job_id"], Range="bytes=100-199")
    assert part.status_code == 206 and part.content == data[100:200]
    assert hand.audio(job["job_id"], Range=f"bytes={len(data)}-").status_code == 416
    # Another worker token does not hold it; a user token is no worker.
    assert stranger.audio(job["job_id"]).status_code == 404
    assert owner.get(f"/api/v1/worker/jobs/{job['job_id']}/audio").status_code == 403
    assert owner.post("/api/v1/worker/claim", json={}).status_code == 403
    assert (
        owner.post(
            f"/api/v1/worker/jobs/{job['job_id']}/heartbeat", json={"lease": job["lease"], "progress": 0.5}
        ).status_code
        == 403
    )
    # The holder's heartbeat shows as the meeting's progress.
    assert hand.report(job["job_id"], "heartbeat", {"lease": job["lease"], "progress": 0.4}).status_code == 200
    assert stage_of(owner.status(mid), "transcribe")["progress"] == pytest.approx(0.4)
    owner.cancel(mid)
    assert hand.audio(job["job_id"]).status_code == 404, "a cancelled job's audio is no longer the worker's"


def test_results_are_checked_and_stored_once(coordinator, tmp_path):
    owner = coordinator.add_user("owner")
    hand = HandWorker(coordinator, worker_token(coordinator, "owner"), "hand-1")
    stranger = HandWorker(coordinator, worker_token(coordinator, "owner"), "hand-2")
    mid = owner.upload(make_audio(tmp_path / "r.wav", 6).read_bytes(), title="results")["id"]
    wait_for_stage(owner, mid, "transcribe", "queued", timeout=60)
    job = hand.claim(stages=["transcribe"]).json()
    jid, lease = job["job_id"], job["lease"]

    def unchanged():
        status = owner.status(mid)
        assert stage_of(status, "transcribe")["state"] == "running", status
        assert not [r for r in stage_results(coordinator) if r[1] == "transcribe"]

    good = {"lease": lease, "seconds": 1.5, "result": fake_recognition()}
    # A result for a job the worker does not hold: someone else's lease, or another token.
    assert hand.report(jid, "complete", {**good, "lease": "hand-1/not-the-lease"}).status_code == 409
    assert stranger.report(jid, "complete", good).status_code == 409
    assert hand.report(999999, "complete", good).status_code == 409
    unchanged()
    # Results that do not match the stage's schema.
    for bad in [
        {"duration": 5},
        {**fake_recognition(), "segments": [{"start": 2, "end": 1, "text": "x", "words": []}]},
        {**fake_recognition(), "duration": -1},
        "not an object",
    ]:
        response = hand.report(jid, "complete", {**good, "result": bad})
        assert response.status_code == 422, (bad, response.text)
    assert hand.report(jid, "complete", {"lease": lease}).status_code == 422
    unchanged()
    # Stored once; the identical retry is 200 and changes nothing; a different one is refused.
    first = hand.report(jid, "complete", good)
    assert first.status_code == 200 and first.json()["status"] == "stored", first.text
    after = owner.status(mid)
    retry = hand.report(jid, "complete", good)
    assert retry.status_code == 200 and retry.json()["status"] == "already_stored", retry.text
    changed = hand.report(jid, "complete", {**good, "result": fake_recognition("something else")})
    assert changed.status_code == 409
    assert [r for r in stage_results(coordinator) if r[1] == "transcribe"] == [(mid, "transcribe", 1)]
    assert stage_of(owner.status(mid), "transcribe") == stage_of(after, "transcribe")
    assert stage_of(owner.status(mid), "diarize")["state"] == "queued"

    # A lease lost to expiry: the late result is refused and the job is queued again.
    diarize = hand.claim(stages=["diarize"]).json()
    wait_for(lambda: stage_of(owner.status(mid), "diarize")["state"] == "queued", 30, what="the lease to expire")
    late = hand.report(
        diarize["job_id"],
        "complete",
        {"lease": diarize["lease"], "seconds": 1, "result": {"duration": 5, "turns": [], "speakers": []}},
    )
    assert late.status_code == 409, late.text
    assert hand.report(diarize["job_id"], "heartbeat", {"lease": diarize["lease"], "progress": 0.5}).status_code == 409
    assert not [r for r in stage_results(coordinator) if r[1] == "diarize"]
    owner.cancel(mid)


def test_two_workers_racing_for_one_job_get_it_once(coordinator, tmp_path):
    owner = coordinator.add_user("owner")
    racers = [HandWorker(coordinator, worker_token(coordinator, "owner"), f"racer-{i}") for i in range(4)]
    mid = owner.upload(make_audio(tmp_path / "race.wav", 6).read_bytes(), title="race")["id"]
    wait_for_stage(owner, mid, "transcribe", "queued", timeout=60)
    answers: list[requests.Response] = []
    barrier = threading.Barrier(len(racers))

    def race(worker: HandWorker) -> None:
        barrier.wait()
        answers.append(worker.claim(stages=["transcribe"], wait=2))

    threads = [threading.Thread(target=race, args=(w,)) for w in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 204, 204, 204], codes
    assert stage_of(owner.status(mid), "transcribe")["attempts"] == 1
    owner.cancel(mid)


def test_revoked_and_user_tokens_cannot_work(coordinator, tmp_path):
    owner = coordinator.add_user("owner")
    token = worker_token(coordinator, "owner")
    token_id = next(
        t["id"]
        for t in __import__("json").loads(coordinator.cli("token", "list", "--user", "owner", "--json"))
        if t["label"] == "e2e worker"
    )
    coordinator.cli("token", "revoke", token_id)
    hand = HandWorker(coordinator, token, "revoked")
    assert hand.claim().status_code == 401
    for bad in (token, owner.token):
        worker = WorkerProcess(coordinator, bad, "refused").start()
        status = worker.process.wait(60)
        assert status != 0, worker.log()
        lines = [line for line in worker.log().splitlines() if "refused" in line]
        assert lines, worker.log()


def test_jobs_survive_a_server_restart_and_sigterm_gives_the_job_back(tmp_path):
    server = ParleyServer(env={**COORDINATOR, "PARLEY_LEASE_SECONDS": "15"}).start()
    worker = None
    try:
        owner = server.add_user("owner")
        token = worker_token(server, "owner")
        worker = WorkerProcess(server, token, "steady").start()
        mid = owner.upload(make_audio(tmp_path / "restart.wav", 90).read_bytes(), title="restart")["id"]
        wait_for_stage(owner, mid, "transcribe", "running", timeout=120)
        port = server.port
        server.stop()
        server.start(port=port)
        # The worker retries through the outage; its lease is still valid in the database.
        assert owner.wait_status(mid, timeout=300)["status"] == "synced", worker.log()[-3000:]
        status = owner.status(mid)
        assert stage_of(status, "transcribe")["attempts"] == 1, status
        assert all(count == 1 for _, _, count in stage_results(server))

        # SIGTERM mid-job: the job goes back at once (attempt not counted), the worker exits 0.
        second = owner.upload(make_audio(tmp_path / "term.wav", 90).read_bytes(), title="term")["id"]
        wait_for_stage(owner, second, "transcribe", "running", timeout=120)
        started = time.monotonic()
        assert worker.stop(timeout=30) == 0, worker.log()[-3000:]
        status = wait_for_stage(owner, second, "transcribe", "queued", timeout=5)
        assert time.monotonic() - started < 15
        assert stage_of(status, "transcribe")["attempts"] == 0, status
        assert "released" in worker.log()
    finally:
        if worker:
            worker.kill9()
        server.stop()
        server.remove()


@pytest.mark.parametrize("fault", ["cut", "corrupt"])
def test_a_spoiled_audio_download_is_resumed_or_fetched_again(coordinator, tmp_path, fault):
    owner = coordinator.add_user("owner")
    token = worker_token(coordinator, "owner")
    proxy = FaultyProxy(coordinator.port, fault)
    worker = WorkerProcess(coordinator, token, f"behind-{fault}")
    worker.args[worker.args.index("--server") + 1] = proxy.url
    worker.start()
    try:
        path = make_audio(tmp_path / f"{fault}.wav", 20)  # ~640 KB: the cut comes well before the end
        mid = owner.upload(path.read_bytes(), title=fault)["id"]
        assert owner.wait_status(mid, timeout=240)["status"] == "synced", worker.log()[-3000:]
        assert proxy.spoiled == 1
        log = worker.log()
        if fault == "cut":
            assert "resuming" in log, log[-3000:]
            assert stage_of(owner.status(mid), "transcribe")["attempts"] == 1
        else:
            assert "SHA-256" in log, log[-3000:]
        cached = list((worker.directory / "cache").glob("*.audio"))
        assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in cached] == [
            hashlib.sha256(path.read_bytes()).hexdigest()
        ]
    finally:
        worker.kill9()
        proxy.close()


def test_a_job_taken_by_a_dead_workers_open_claim_comes_back(coordinator, tmp_path):
    """A worker killed while idle leaves its long-poll open on the server, which cannot see
    the hang-up: that claim may still take the next job. The lease then runs out and the job
    comes back to the queue, to be finished by a live worker (one attempt spent)."""
    owner = coordinator.add_user("owner")
    token = worker_token(coordinator, "owner")
    idle = WorkerProcess(coordinator, token, "idle")
    idle.args[idle.args.index("--claim-wait") + 1] = "25"
    idle.start()
    live = None
    try:
        wait_for(lambda: owner.get("/api/v1/workers").json(), 30, what="the worker's first claim")
        idle.kill9()  # its claim is still open on the server, for up to 25 s
        mid = owner.upload(make_audio(tmp_path / "orphan.wav", 6).read_bytes(), title="orphan")["id"]
        wait_for_stage(owner, mid, "transcribe", "queued", timeout=60)
        live = WorkerProcess(coordinator, token, "live").start()
        assert owner.wait_status(mid, timeout=180)["status"] == "synced"
        transcribe = stage_of(owner.status(mid), "transcribe")
        assert transcribe["worker"].startswith("live") and transcribe["attempts"] in (1, 2), transcribe
    finally:
        idle.kill9()
        if live:
            live.kill9()
