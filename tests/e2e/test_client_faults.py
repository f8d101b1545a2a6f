"""50 recordings synced through a network that drops, stalls and refuses: every byte arrives,
once, and every recording ends `synced`."""

from __future__ import annotations

import collections
import os
import time

import pytest

from client_support import Client, FaultPlan, FaultProxy, Server, make_tones, sha256_bytes, sha256_file

RECORDINGS = int(os.environ.get("PARLEY_FAULT_RECORDINGS", "50"))
SEED = int(os.environ.get("PARLEY_FAULT_SEED", "20261125"))
MAX_PASSES = 25


@pytest.mark.timeout(1500)
def test_recordings_sync_whole_and_once_through_a_faulty_network(tmp_path):
    server = Server().start()
    try:
        account = server.add_user()
        files = make_tones(tmp_path / "audio", RECORDINGS, 100, 300, seed=SEED)
        sources = {sha256_file(path): path for path in files}
        # About one request in three is faulted. Three attempts per request (not the default
        # eight) so that some recordings run out of retries, end `failed` (retryable) and
        # must be picked up again by a later pass.
        plan = FaultPlan(seed=SEED, drop=0.10, lose=0.05, delay=0.08, status=0.12)
        with FaultProxy(server.port, plan) as proxy:
            client = Client(
                tmp_path / "home",
                env={"PARLEY_CHUNK_KB": "64", "PARLEY_RETRY_BASE_MS": "50", "PARLEY_RETRY_ATTEMPTS": "3"},
            )
            plan.enabled = False  # `login` makes one request and does not retry
            client.login(proxy.url, account.token)
            plan.enabled = True
            imported = client.import_files(files)
            assert len({entry["id"] for entry in imported}) == RECORDINGS

            started = time.monotonic()
            passes, outcomes = 0, collections.Counter()
            while passes < MAX_PASSES:
                passes += 1
                run = client.sync("--parallel", "2", timeout=600)
                outcomes[run.returncode] += 1
                assert run.returncode in (0, 1, 2), run.stderr
                if run.returncode == 1:
                    # Only a whole-pass failure is acceptable: reconciliation could not list
                    # the server. Anything else (a crash, a bad answer) fails the test.
                    assert "cannot reach the server" in run.stderr or "server answered" in run.stderr, run.stderr
                if set(client.statuses()) <= {"processing", "synced"}:
                    break
            upload_seconds = time.monotonic() - started
            assert set(client.statuses()) <= {"processing", "synced"}, (
                f"still pending after {passes} passes: {client.statuses()}\n{client.recordings()}"
            )

            # Last passes: wait for processing, still through the faulty proxy.
            for _ in range(5):
                final = client.sync("--wait", "--timeout", "600", "--parallel", "2", timeout=900)
                if final.ok and set(client.statuses()) == {"synced"}:
                    break
            total_seconds = time.monotonic() - started
            counts = dict(proxy.counts)
        print(
            f"\n{RECORDINGS} recordings, seed {SEED}: {passes} upload passes in {upload_seconds:.1f}s "
            f"(exit codes {dict(outcomes)}), all synced after {total_seconds:.1f}s; "
            f"proxy: { {kind: count for kind, count in sorted(counts.items()) if ' ' not in kind} }"
        )

        # Faults of every kind really happened, so the result below means something.
        for kind in ("drop", "lose", "delay", "429", "503", "500", "drop PATCH", "lose PATCH", "lose POST"):
            assert counts.get(kind, 0) > 0, f"no {kind} faults were injected: {counts}"

        # Every local recording is synced...
        recordings = client.recordings()
        assert len(recordings) == RECORDINGS
        assert collections.Counter(entry["status"] for entry in recordings) == {"synced": RECORDINGS}, recordings
        # ...the server holds exactly one meeting per recording...
        held = account.synced()
        per_hash = collections.Counter(meeting["sha256"] for meeting in held)
        assert per_hash == {sha: 1 for sha in sources}, f"{len(held)} meetings for {RECORDINGS} recordings"
        assert all(meeting["status"] == "synced" for meeting in held), held
        # ...each library entry points at the meeting holding its bytes...
        by_id = {meeting["id"]: meeting for meeting in held}
        for entry in recordings:
            assert entry["server_id"] in by_id, entry
        # ...and every stored file is byte-identical to its source (read on the direct port).
        for meeting in held:
            data = account.original(meeting["id"])
            assert sha256_bytes(data) == meeting["sha256"], f"meeting {meeting['id']} holds other bytes"
            assert data == sources[meeting["sha256"]].read_bytes()
    finally:
        server.stop()
        if os.environ.get("PARLEY_KEEP_DATA"):
            print(f"server data kept in {server.data_dir}")
        else:
            server.remove()
