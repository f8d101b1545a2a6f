"""Per-stage progress only ever moves forward while a meeting is processed: the engine
reports decoding and then the model, and only the model phase is the stage's progress."""

from __future__ import annotations

import time

from support import ParleyServer, make_audio


def test_stage_progress_never_decreases(tmp_path):
    # A short lease makes the worker heartbeat (and publish progress) every 0.2 s.
    server = ParleyServer(tmp_path / "data", env={"PARLEY_LEASE_SECONDS": "1.2"}).start()
    try:
        user = server.add_user()
        meeting = user.upload(
            make_audio(tmp_path / "long.wav", 240).read_bytes(), filename="long.wav", title="progress"
        )
        seen: dict[str, list[float]] = {}
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            status = user.status(meeting["id"])
            for stage in status["stages"]:
                history = seen.setdefault(stage["stage"], [])
                if stage.get("state") == "running" and (not history or history[-1] != stage["progress"]):
                    history.append(stage["progress"])
            if status["status"] in ("synced", "failed"):
                break
            time.sleep(0.05)
        assert status["status"] == "synced", status
        for stage, history in seen.items():
            assert history == sorted(history), f"{stage} progress went backwards: {history}"
        assert len(seen.get("transcribe", [])) >= 3, seen  # the poller really watched it move
    finally:
        server.stop()
