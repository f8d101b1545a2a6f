"""schemathesis (the CLI, as a user would run it) against the served OpenAPI document with a
valid token: no 5xx, status codes, content types, headers and bodies as documented.

It runs on a server of its own: fuzzing creates junk meetings and queues their processing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import ParleyServer, make_audio

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory):
    server = ParleyServer().start()
    fuzzer = server.add_user("fuzzer")
    # A processed meeting, so that reads return real transcripts for the schemas to judge.
    path = make_audio(tmp_path_factory.mktemp("fuzz") / "fuzz.wav", 11)
    meeting = fuzzer.upload(path.read_bytes(), title="Fuzz target", client_id="fuzz-target", filename="fuzz.wav")
    assert fuzzer.wait_status(meeting["id"], timeout=180)["status"] == "synced"
    yield server, fuzzer, meeting["id"]
    server.stop()
    server.remove()


def test_schemathesis_finds_no_violations(fuzz_target, tmp_path):
    server, fuzzer, meeting_id = fuzz_target
    config = tmp_path / "schemathesis.toml"
    # Half the generated meeting ids name the real meeting, so reads reach real data.
    config.write_text(f"""
[dictionaries.ids]
values = ["{meeting_id}", "fuzz-target"]

[parameters]
"path.id" = {{ dictionary = "ids", probability = 0.5 }}
""")
    executable = Path(sys.executable).with_name("schemathesis")
    command = [
        str(executable),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{server.url}/api/v1/openapi.json",
        "--url",
        server.url,
        "--header",
        f"Authorization: Bearer {fuzzer.token}",
        "--checks",
        CHECKS,
        "--max-examples",
        "30",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        # The event stream never ends (test_sse.py covers it); the OpenAI endpoint holds each
        # request until processing finishes (test_openai.py drives it with the openai client).
        "--exclude-path",
        "/api/v1/events",
        "--exclude-path",
        "/v1/audio/transcriptions",
        "--request-timeout",
        "30",
        "--workers",
        "1",
        "--seed",
        os.environ.get("PARLEY_FUZZ_SEED", "20261125"),
        "--generation-database",
        "none",
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
        "PYTHONPATH": str(Path(__file__).parent) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=290)
    output = result.stdout + result.stderr
    print(output[-20000:])
    assert result.returncode == 0, (
        f"schemathesis reported problems:\n{output[-15000:]}\nserver log:\n{server.log_tail()}"
    )
    assert "Serialization not possible" not in output
    # It must really have exercised the API, not skipped everything.
    assert "generated" in output and " 0 generated" not in output
