"""What a client sends about a recording comes back unchanged, by either upload path; the
operational endpoints answer as documented."""

from __future__ import annotations

import os
import re

import requests

from support import TUS, sha256, tus_metadata


def test_direct_upload_metadata_round_trips(server, user):
    data = b"RIFF\x24\x00\x00\x00WAVE round trip " + os.urandom(32)
    meeting = user.upload(
        data,
        title="Weekly sync + review: Q3/Q4 & more",
        client_id="rt-1.a_b",
        recorded_at="2026-11-24T15:30:00+01:00",
        filename="weekly sync.wav",
    )
    user.cancel(meeting["id"])
    detail = user.get(f"/api/v1/meetings/{meeting['id']}").json()["meeting"]
    assert detail["title"] == "Weekly sync + review: Q3/Q4 & more"
    assert detail["client_id"] == "rt-1.a_b"
    assert detail["recorded_at"] == "2026-11-24T14:30:00Z"
    assert detail["sha256"] == sha256(data) and detail["size"] == len(data)
    assert detail["is_personal"] is True and "workspace_id" not in detail
    # The type is Parley's reading of the bytes (a WAVE header), not the upload's claim.
    assert user.get(f"/api/v1/meetings/{meeting['id']}/audio/metadata").json()["content_type"] == "audio/wav"


def test_tus_metadata_round_trips(server, user):
    data = b"RIFF tus round trip " + os.urandom(32)
    creation = user.post(
        "/api/v1/uploads",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(
                sha256=sha256(data),
                title="Réunion d'équipe — 週次",
                client_id="rt-2",
                recorded_at="2026-01-02T03:04:05Z",
                filename="../../etc/réunion.m4a",
                filetype="audio/mp4",
            ),
        },
    )
    done = user.request(
        "PATCH",
        creation.headers["Location"],
        data=data,
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    meeting_id = done.headers["Parley-Meeting-Id"]
    user.cancel(meeting_id)
    detail = user.get(f"/api/v1/meetings/{meeting_id}").json()["meeting"]
    assert detail["title"] == "Réunion d'équipe — 週次"
    assert detail["client_id"] == "rt-2"
    assert detail["recorded_at"] == "2026-01-02T03:04:05Z"
    metadata = user.get(f"/api/v1/meetings/{meeting_id}/audio/metadata").json()
    # `filetype audio/mp4` is the client's claim; these bytes are no container Parley knows.
    assert metadata["content_type"] == "application/octet-stream"
    # A path in the filename names nothing on disk: the original lives in the meeting's folder.
    stored = list((server.data_dir / "audio" / meeting_id).iterdir())
    assert [path.name for path in stored] == ["original.m4a"]
    assert user.original(meeting_id) == data


def test_health_ready_and_metrics(server):
    assert requests.get(server.url + "/health", timeout=10).json() == {"status": "ok"}
    ready = requests.get(server.url + "/ready", timeout=10)
    assert ready.status_code == 200 and ready.json() == {"database": "ok", "disk": "ok"}
    metrics = requests.get(server.url + "/metrics", timeout=10)
    assert metrics.status_code == 200 and metrics.headers["Content-Type"].startswith("text/plain")
    for name in (
        "parley_upload_bytes_total",
        "parley_queue_length",
        "parley_process_resident_bytes",
        "http_server_request_duration_bucket",
    ):
        assert re.search(rf"^{name}\b", metrics.text, re.MULTILINE), name


def test_process_async_is_idempotent_and_reruns_on_request(processed):
    owner, meeting_id, _ = processed
    path = f"/api/v1/meetings/{meeting_id}/process-async"
    # Synced and nothing asked: nothing is queued.
    again = owner.post(path)
    assert again.status_code == 202 and again.json()["status"] == "synced"
    # A re-run of the last stage keeps the earlier results and ends synced again.
    rerun = owner.post(path, json={"from_stage": "index"})
    assert rerun.status_code == 202
    final = owner.wait_status(meeting_id, timeout=60)
    assert final["status"] == "synced"
    stages = {stage["stage"]: stage for stage in final["stages"]}
    assert all(stage["state"] == "done" for stage in stages.values())
    assert owner.get(f"/api/v1/meetings/{meeting_id}").json()["transcript"]["segments"]
