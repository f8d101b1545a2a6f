"""The OpenAI-compatible transcription endpoint, with the official `openai` client."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import openai
import pytest
from openai import OpenAI

sys.path.insert(0, str(Path(__file__).parent))

from support import JFK, NAMES_TERMS as TERMS, names_meeting  # noqa: E402

REFERENCE = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def word_error_rate(hypothesis: str, reference: str = REFERENCE) -> float:
    hyp, ref = words(hypothesis), words(reference)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1] / len(ref)


@pytest.fixture(scope="module")
def client(server):
    api = server.add_user()
    return OpenAI(base_url=server.url + "/v1", api_key=api.token, max_retries=0, timeout=300)


def transcribe(client, response_format: str, **extra):
    with open(JFK, "rb") as audio:
        return client.audio.transcriptions.create(
            model="whisper-1", file=audio, response_format=response_format, **extra
        )


def test_json(client):
    assert word_error_rate(transcribe(client, "json").text) <= 0.1


def test_text(client):
    result = transcribe(client, "text")
    assert isinstance(result, str) and word_error_rate(result) <= 0.1


@pytest.mark.parametrize("fmt,separator", [("srt", ","), ("vtt", ".")])
def test_subtitles(client, fmt, separator):
    result = transcribe(client, fmt)
    stamps = re.findall(
        rf"(\d\d):(\d\d):(\d\d)\{separator}(\d{{3}}) --> (\d\d):(\d\d):(\d\d)\{separator}(\d{{3}})", result
    )
    assert stamps, result
    starts = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms, *_ in stamps]
    assert starts == sorted(starts)
    if fmt == "vtt":
        assert result.startswith("WEBVTT")
    spoken = " ".join(
        line for line in result.splitlines() if line and "-->" not in line and not line.isdigit() and line != "WEBVTT"
    )
    assert word_error_rate(spoken) <= 0.1


def test_verbose_json_with_words(client):
    result = transcribe(client, "verbose_json", timestamp_granularities=["word", "segment"])
    assert abs(result.duration - 11) < 0.5 and result.language == "english"
    assert result.segments and all(s.end >= s.start for s in result.segments)
    assert result.words and [w.start for w in result.words] == sorted(w.start for w in result.words)
    assert word_error_rate(result.text) <= 0.1


def test_diarized_json(client):
    result = transcribe(client, "diarized_json")
    assert result.segments and {s.speaker for s in result.segments} == {"Speaker 1"}
    assert word_error_rate(result.text) <= 0.1


def test_bad_requests(client, server):
    api = server.add_user()
    assert api.post("/v1/audio/transcriptions", data=b"x", headers={"Content-Type": "text/plain"}).status_code == 400
    response = api.post("/v1/audio/transcriptions", files={"file": ("a.wav", b"")}, data={"model": "whisper-1"})
    assert response.status_code == 400
    response = api.post(
        "/v1/audio/transcriptions",
        files={"file": ("a.wav", JFK.read_bytes())},
        data={"model": "whisper-1", "response_format": "pdf"},
    )
    assert response.status_code == 400
    response = api.post(
        "/v1/audio/transcriptions",
        files={"file": ("notes.txt", b"just some text, not audio")},
        data={"model": "whisper-1"},
    )
    assert response.status_code == 422
    unauthenticated = OpenAI(base_url=server.url + "/v1", api_key="prl_wrong", max_retries=0)
    with pytest.raises(Exception) as failure:
        with open(JFK, "rb") as audio:
            unauthenticated.audio.transcriptions.create(model="whisper-1", file=audio)
    assert "401" in str(failure.value)


def test_model_names_the_server_offers_and_refuses_others(client):
    """`whisper-1` and the server's own model name are served; a name no engine here or
    connected worker offers is a clear 400 at once, not a request left waiting."""
    with open(JFK, "rb") as audio:
        served = client.audio.transcriptions.create(model="tiny.en", file=audio, response_format="json")
    assert word_error_rate(served.text) <= 0.1
    with pytest.raises(openai.BadRequestError) as refused:
        with open(JFK, "rb") as audio:
            client.audio.transcriptions.create(model="large-v9", file=audio)
    assert refused.value.status_code == 400
    assert "large-v9" in str(refused.value) and "whisper-1" in str(refused.value)


def test_language_and_prompt_are_applied(client, server, tmp_path):
    """The prompt reaches Whisper: a meeting that says made-up names comes out with them
    spelled right when the request's prompt names them, and not without; a bad language
    code is refused."""
    wav = names_meeting(tmp_path / "names.wav")
    with open(wav, "rb") as audio:
        plain = client.audio.transcriptions.create(model="whisper-1", file=audio, language="en")
    with open(wav, "rb") as audio:  # the same recording: transcribed again, with the prompt
        prompted = client.audio.transcriptions.create(
            model="whisper-1", file=audio, language="en", prompt="Zorvane, Quillatek, Brannigast, Velmora."
        )
    assert len(spelled(plain.text)) <= 1, plain.text
    assert len(spelled(prompted.text)) >= 3, prompted.text
    with pytest.raises(openai.BadRequestError):
        with open(JFK, "rb") as audio:
            client.audio.transcriptions.create(model="whisper-1", file=audio, language="english!")


def spelled(text: str) -> list[str]:
    heard = set(re.sub(r"[^a-z]+", " ", text.lower()).split())
    return [term for term in TERMS if term.lower() in heard]
