"""Decoding and input validation, through the real engine."""

import shutil
import socket
import subprocess
import wave

import numpy as np
import pytest

from conftest import JFK_FLAC, JFK_MP3, JFK_WAV, ffmpeg


def read_wav(path):
    with wave.open(str(path), "rb") as w:
        params = (w.getnchannels(), w.getsampwidth(), w.getframerate())
        return params, np.frombuffer(w.readframes(w.getnframes()), "<i2")


@pytest.mark.parametrize("src,codec,rate,channels", [(JFK_FLAC, "flac", 44100, 2), (JFK_MP3, "mp3", 16000, 1)])
def test_decode_writes_16k_mono_wav(engine, tmp_path, src, codec, rate, channels):
    out = tmp_path / "out.wav"
    result = engine.result("decode", {"input": str(src), "output": str(out)})
    assert result["codec"] == codec
    assert (result["sample_rate"], result["channels"]) == (rate, channels)
    params, pcm = read_wav(out)
    assert params == (1, 2, 16000)
    assert abs(len(pcm) / 16000 - 11.0) < 0.1
    assert result["duration"] == pytest.approx(len(pcm) / 16000, abs=0.001)
    assert np.sqrt(np.mean(pcm.astype(np.float64) ** 2)) > 300  # real speech, not silence
    assert not (tmp_path / "out.wav.part").exists()


def test_decode_of_16k_mono_wav_is_lossless(engine, tmp_path):
    out = tmp_path / "same.wav"
    engine.result("decode", {"input": str(JFK_WAV), "output": str(out)})
    assert np.array_equal(read_wav(out)[1], read_wav(JFK_WAV)[1])


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "notes.wav").write_text("these are meeting notes, not audio\n" * 20)
    (d / "zero.wav").write_bytes(b"")
    (d / "header-only.wav").write_bytes(JFK_WAV.read_bytes()[:44])  # claims data, has none
    (d / "cut.mp3").write_bytes(JFK_MP3.read_bytes()[:2048])
    (d / "cut.flac").write_bytes(JFK_FLAC.read_bytes()[:2048])
    (d / "half.flac").write_bytes(JFK_FLAC.read_bytes()[:600_000])
    (d / "folder.wav").mkdir()
    ffmpeg("-f", "lavfi", "-i", "testsrc=duration=1:size=64x64:rate=5", str(d / "video.mp4"))
    if shutil.which("sox"):
        subprocess.run(
            ["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(d / "no-samples.wav"), "trim", "0", "0"], check=True
        )
    else:  # the same thing by hand: a correct header whose data chunk is empty
        with wave.open(str(d / "no-samples.wav"), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
    return d


BAD = {
    "missing.wav": "no such file",
    "notes.wav": "not an audio file",
    "zero.wav": "empty file",
    "no-samples.wav": "zero-length audio",
    "header-only.wav": "corrupt or truncated",
    "cut.mp3": "truncated",
    "cut.flac": "truncated",
    "half.flac": "truncated",
    "folder.wav": "directory",
    "video.mp4": "no audio stream",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_bad_audio_naming_the_file(engine, bad_files, name):
    _, msg = engine.call("transcribe", {"audio": str(bad_files / name)})
    assert msg["event"] == "error", msg
    err = msg["error"]
    assert err["code"] == "bad_audio" and err["retryable"] is False, err
    assert err["message"].startswith(name + ":"), err
    assert BAD[name] in err["message"] and "\n" not in err["message"]
    assert engine.result("ping") == {}  # the engine survives every one


@pytest.mark.parametrize("name", ["cut.mp3", "no-samples.wav"])
def test_decode_of_bad_input_leaves_no_output(engine, bad_files, tmp_path, name):
    out = tmp_path / "out.wav"
    _, msg = engine.call("decode", {"input": str(bad_files / name), "output": str(out)})
    assert msg["error"]["code"] == "bad_audio"
    assert not out.exists() and not (tmp_path / "out.wav.part").exists()


def test_diarize_rejects_bad_audio_too(engine, bad_files):
    pytest.importorskip("parley_engine.diarization")
    _, msg = engine.call("diarize", {"audio": str(bad_files / "notes.wav")})
    assert msg["error"]["code"] == "bad_audio"


def _listener():
    """A loopback TCP server that counts the connections made to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    return server


def _accepted(server) -> int:
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            return count
        conn.close()
        count += 1


@pytest.mark.parametrize("method", ["decode", "transcribe"])
def test_a_playlist_upload_opens_no_url(engine, tmp_path, method):
    server = _listener()
    try:
        port = server.getsockname()[1]
        playlist = tmp_path / "meeting.m3u8"
        playlist.write_text(
            f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nhttp://127.0.0.1:{port}/segment.ts\n#EXT-X-ENDLIST\n"
        )
        params = (
            {"input": str(playlist), "output": str(tmp_path / "out.wav")}
            if method == "decode"
            else {"audio": str(playlist)}
        )
        _, msg = engine.call(method, params)
        assert msg["event"] == "error" and msg["error"]["code"] == "bad_audio", msg
        assert msg["error"]["message"].startswith("meeting.m3u8: not an audio file"), msg
        assert _accepted(server) == 0, "the decoder connected to a URL named inside the upload"
    finally:
        server.close()


def test_a_concat_list_of_local_files_is_refused(engine, tmp_path):
    # A relative name beside the list: FFmpeg's own "safe" mode lets that through.
    shutil.copy(JFK_WAV, tmp_path / "other.wav")
    listing = tmp_path / "meeting.ffconcat"
    listing.write_text("ffconcat version 1.0\nfile 'other.wav'\n")
    _, msg = engine.call("transcribe", {"audio": str(listing)})
    assert msg["event"] == "error" and msg["error"]["code"] == "bad_audio", msg
    assert msg["error"]["message"] == "meeting.ffconcat: not an audio file (the concat format is not accepted)", msg


# --- max_seconds: a small upload that decodes to hours is refused, not written out ---


def _flac_declaring(src, dst, seconds):
    """Copy a FLAC with STREAMINFO's total-samples field (36 bits) set to `seconds` at
    16 kHz: a header that lies. 0 means "unknown", what a FLAC written to a pipe says."""
    data = bytearray(src.read_bytes())
    field = int.from_bytes(data[18:26], "big")  # "fLaC", block header, 10 bytes in
    field = field & ~((1 << 36) - 1) | int(seconds * 16000)
    data[18:26] = field.to_bytes(8, "big")
    dst.write_bytes(data)


@pytest.fixture(scope="module")
def long_files(tmp_path_factory):
    """20 s of tone in containers that state, omit, guess or misstate their length."""
    d = tmp_path_factory.mktemp("long")
    tone = ("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000:duration=20")
    ffmpeg(*tone, str(d / "declared.wav"))
    ffmpeg(*tone, str(d / "declared.flac"))
    _flac_declaring(d / "declared.flac", d / "no-length.flac", 0)
    _flac_declaring(d / "declared.flac", d / "lying.flac", 2)
    ffmpeg(*tone, "-write_xing", "0", str(d / "guessed.mp3"))  # length guessed from bitrate
    ffmpeg(*tone, "-c:a", "aac", "-f", "adts", str(d / "guessed.aac"))
    return d


def _refused(engine, method, params, name):
    _, msg = engine.call(method, params)
    assert msg["event"] == "error" and msg["error"]["code"] == "bad_audio", msg
    assert msg["error"]["retryable"] is False and msg["error"]["message"].startswith(name + ": too long ("), msg
    return msg["error"]["message"]


@pytest.mark.parametrize("name", ["declared.wav", "declared.flac"])
def test_decode_refuses_a_declared_length_over_max_seconds(engine, long_files, tmp_path, name):
    out = tmp_path / "out.wav"
    params = {"input": str(long_files / name), "output": str(out), "max_seconds": 5}
    assert _refused(engine, "decode", params, name) == f"{name}: too long (0:00:20 of audio; the limit is 0:00:05)"
    assert not out.exists() and not (tmp_path / "out.wav.part").exists()


@pytest.mark.parametrize("name", ["no-length.flac", "lying.flac", "guessed.mp3", "guessed.aac"])
def test_decode_stops_at_max_seconds_when_the_header_cannot_tell(engine, long_files, tmp_path, name):
    # "more than" proves the while-decoding check fired, not the header check.
    out = tmp_path / "out.wav"
    params = {"input": str(long_files / name), "output": str(out), "max_seconds": 5}
    assert (
        _refused(engine, "decode", params, name)
        == f"{name}: too long (more than 0:00:05 of audio; the limit is 0:00:05)"
    )
    assert not out.exists() and not (tmp_path / "out.wav.part").exists()


def test_decode_never_writes_more_than_max_seconds(long_files, tmp_path, monkeypatch):
    # In-process, to see what reaches the .part file before the error.
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    from parley_engine import audio
    from parley_engine.errors import BadAudio

    written = []
    real = wave.Wave_write.writeframesraw
    monkeypatch.setattr(
        wave.Wave_write, "writeframesraw", lambda self, data: (written.append(len(data)), real(self, data))
    )
    with pytest.raises(BadAudio, match="too long"):
        audio.decode_to_wav(str(long_files / "no-length.flac"), str(tmp_path / "o.wav"), max_seconds=5)
    assert 0 < sum(written) <= 5 * 16000 * 2  # s16 mono: 2 bytes a sample
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("src,limit", [(JFK_FLAC, 11.01), ("no-length.flac", 20.01), ("guessed.mp3", 20.1)])
def test_max_seconds_just_above_the_length_decodes(engine, long_files, tmp_path, src, limit):
    out = tmp_path / "out.wav"
    result = engine.result("decode", {"input": str(long_files / src), "output": str(out), "max_seconds": limit})
    assert limit - 0.15 < result["duration"] <= limit
    assert read_wav(out)[1].size == round(result["duration"] * 16000)


@pytest.mark.parametrize("method", ["decode", "transcribe", "diarize"])
@pytest.mark.parametrize("value", ["ten", 0, -5, True, [10]])
def test_max_seconds_must_be_a_positive_number(engine, tmp_path, method, value):
    params = (
        {"input": str(JFK_WAV), "output": str(tmp_path / "o.wav")} if method == "decode" else {"audio": str(JFK_WAV)}
    )
    _, msg = engine.call(method, {**params, "max_seconds": value})
    assert msg["event"] == "error" and msg["error"]["code"] == "bad_request", msg
    assert "max_seconds" in msg["error"]["message"], msg
    assert not (tmp_path / "o.wav").exists()


@pytest.mark.parametrize("method", ["transcribe", "diarize"])
@pytest.mark.parametrize("src,how", [(JFK_WAV, "0:00:11"), ("no-length.flac", "more than 0:00:05")])
def test_transcribe_and_diarize_refuse_audio_over_max_seconds(engine, long_files, method, src, how):
    if method == "diarize":
        pytest.importorskip("parley_engine.diarization")
    path = long_files / src  # an absolute JFK_WAV stays itself
    assert (
        _refused(engine, method, {"audio": str(path), "max_seconds": 5}, path.name)
        == f"{path.name}: too long ({how} of audio; the limit is 0:00:05)"
    )
    assert engine.result("ping") == {}
