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


@pytest.mark.parametrize("src,codec,rate,channels", [
    (JFK_FLAC, "flac", 44100, 2), (JFK_MP3, "mp3", 16000, 1)])
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
        subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16",
                        str(d / "no-samples.wav"), "trim", "0", "0"], check=True)
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
        playlist.write_text("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n"
                            f"http://127.0.0.1:{port}/segment.ts\n#EXT-X-ENDLIST\n")
        params = {"input": str(playlist), "output": str(tmp_path / "out.wav")} if method == "decode" \
            else {"audio": str(playlist)}
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
