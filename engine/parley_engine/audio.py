"""Validate and decode any common audio/video file to 16 kHz mono.

Decoding uses PyAV rather than an ffmpeg subprocess: faster-whisper already depends on
it, its wheel bundles a known FFmpeg build (no system ffmpeg needed, same behaviour on
every machine), and decoding packet by packet lets us tell a corrupt packet from a
truncated file and report each precisely. Every failure here is BadAudio.
"""

import math
import os
import sys
import wave
from dataclasses import dataclass

import av
import numpy as np

from .errors import BadAudio

SR = 16000
# Containers whose header states the exact length, so "decoded much less than declared"
# means truncation. MP3 only with a Xing/Info/VBRI header: otherwise FFmpeg guesses the
# length from the first frame's bitrate, which can be far off for a valid VBR file.
_EXACT_LENGTH = {"wav", "w64", "flac", "mov", "matroska", "ogg", "aiff", "caf"}
# Demuxers an upload may use: audio and audio/video containers that hold their media in
# the file itself. Not playlists (hls, m3u), concat lists, image sequences, device or
# network demuxers: those make FFmpeg open other paths or URLs named inside the upload.
ALLOWED_CONTAINERS = {
    "wav",
    "w64",
    "flac",
    "mov",
    "matroska",
    "ogg",
    "aiff",
    "caf",
    "mp3",
    "aac",
    "amr",
    "au",
    "wv",
    "asf",
    "avi",
    "mpeg",
    "mpegts",
    "ape",
    "tta",
}
# FFmpeg may open nothing but the local file it was given (and no nested URLs from it).
_OPEN_OPTIONS = {"protocol_whitelist": "file"}
_MAGIC = [
    (0, b"RIFF", "WAV"),
    (0, b"fLaC", "FLAC"),
    (0, b"ID3", "MP3"),
    (0, b"OggS", "Ogg"),
    (4, b"ftyp", "MP4/M4A"),
    (0, b"\x1a\x45\xdf\xa3", "WebM/Matroska"),
    (0, b"FORM", "AIFF"),
    (0, b"caff", "CAF"),
]


@dataclass
class Source:
    name: str  # file name used in error messages
    codec: str
    sample_rate: int
    channels: int
    declared: float | None  # length the container claims, seconds
    exact: bool  # whether `declared` can be trusted to detect truncation

    def info(self, samples: int) -> dict:
        return {
            "duration": round(samples / SR, 3),
            "codec": self.codec,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
        }


def _sniff(path: str) -> str | None:
    with open(path, "rb") as f:
        head = f.read(12)
    for off, magic, kind in _MAGIC:
        if head[off : off + len(magic)] == magic:
            return kind
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "MPEG audio"
    return None


def _mp3_has_length_header(path: str) -> bool:
    with open(path, "rb") as f:
        head, off = f.read(10), 0
        if head[:3] == b"ID3" and len(head) == 10:  # skip the ID3v2 tag (syncsafe size)
            off = 10 + sum((head[6 + i] & 0x7F) << (21 - 7 * i) for i in range(4))
        f.seek(off)
        frame = f.read(512)
    return any(tag in frame for tag in (b"Xing", b"Info", b"VBRI"))


def open_audio(path: str):
    """Open `path` and return (container, audio stream, Source); BadAudio if unusable."""
    name = os.path.basename(path.rstrip("/")) or path
    if not os.path.exists(path):
        raise BadAudio(f"{name}: no such file")
    if os.path.isdir(path):
        raise BadAudio(f"{name}: is a directory, not an audio file")
    if os.path.getsize(path) == 0:
        raise BadAudio(f"{name}: empty file (0 bytes)")
    try:
        container = av.open(path, metadata_errors="ignore", options=_OPEN_OPTIONS)
    except PermissionError:
        raise BadAudio(f"{name}: permission denied") from None
    except (av.error.FFmpegError, OSError, EOFError) as exc:
        kind = _sniff(path)
        if kind is None:
            raise BadAudio(f"{name}: not an audio file (unrecognised format)") from None
        raise BadAudio(f"{name}: corrupt or truncated {kind} file ({_why(exc)})") from None
    fmt = container.format.name.split(",")[0]
    if fmt not in ALLOWED_CONTAINERS:
        container.close()
        raise BadAudio(f"{name}: not an audio file (the {fmt} format is not accepted)")
    if not container.streams.audio:
        what = "video only" if container.streams.video else f"format {container.format.name}"
        container.close()
        raise BadAudio(f"{name}: not an audio file (no audio stream; {what})")
    stream = container.streams.audio[0]
    cc = stream.codec_context
    declared = None
    if stream.duration and stream.time_base:
        declared = float(stream.duration * stream.time_base)
    elif container.duration:
        declared = container.duration / 1e6
    exact = fmt in _EXACT_LENGTH or (fmt == "mp3" and _mp3_has_length_header(path))
    src = Source(
        name,
        cc.codec.canonical_name if cc.codec else cc.name,
        cc.sample_rate or 0,
        getattr(cc, "channels", 0) or 0,
        declared,
        exact,
    )
    return container, stream, src


def _why(exc: BaseException) -> str:
    msg = getattr(exc, "strerror", None) or str(exc)
    return msg.split(":")[0].strip() or type(exc).__name__


def _hms(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _too_long(src: Source, max_seconds: float, length: float | None = None) -> BadAudio:
    """`length` None: stopped mid-decode, so only "more than the limit" is known. The
    length rounds up and the limit down, so an over-long file never prints as equal."""
    limit = _hms(math.floor(max_seconds))
    said = f"more than {limit}" if length is None else _hms(math.ceil(length))
    return BadAudio(f"{src.name}: too long ({said} of audio; the limit is {limit})")


def iter_pcm(path: str, fmt: str = "flt", progress=None, max_seconds: float | None = None):
    """Yield (Source, mono 16 kHz numpy chunks...) as a generator: the first item is the
    Source, then 1-D arrays (float32 for "flt", int16 for "s16"). Raises BadAudio at the
    end for zero-length or truncated input, so callers must not commit output before then.
    With `max_seconds`, raises BadAudio "too long" instead of yielding more than that."""
    container, stream, src = open_audio(path)
    # Refuse up front only on a length the header states exactly: FFmpeg's guesses (MP3
    # without a Xing header, ADTS AAC, ...) come from a bitrate and may overstate a valid
    # file. Any other over-long input is caught by the sample count below.
    if max_seconds and src.exact and src.declared and src.declared > max_seconds:
        container.close()
        raise _too_long(src, max_seconds, src.declared)
    yield src
    resampler = av.AudioResampler(format=fmt, layout="mono", rate=SR)
    samples = bad_packets = 0
    # Checked before each chunk is yielded, so no caller ever gets (or writes to disk)
    # more than max_seconds of PCM from a container that lies about, or omits, its length.
    limit = int(max_seconds * SR) if max_seconds else None
    try:
        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
                frames = packet.decode()
            except StopIteration:
                break
            except av.error.FFmpegError:  # one bad packet: skip it, like the ffmpeg CLI
                bad_packets += 1
                continue
            for frame in frames:
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    samples += len(chunk)
                    if limit is not None and samples > limit:
                        raise _too_long(src, max_seconds)
                    yield chunk
            if progress and src.declared:
                progress(samples / SR / src.declared)
        for out in resampler.resample(None):  # flush the resampler's delay line
            chunk = out.to_ndarray().reshape(-1)
            samples += len(chunk)
            if limit is not None and samples > limit:
                raise _too_long(src, max_seconds)
            yield chunk
    finally:
        container.close()
    got = samples / SR
    if samples == 0:
        why = "no decodable audio" if bad_packets else "zero-length audio (no samples)"
        raise BadAudio(f"{src.name}: {why}")
    if src.exact and src.declared and got < src.declared - max(1.0, 0.05 * src.declared):
        raise BadAudio(f"{src.name}: truncated or corrupt ({got:.2f} s decodable of {src.declared:.2f} s declared)")
    if bad_packets:
        print(f"parley-engine: {src.name}: skipped {bad_packets} undecodable packet(s)", file=sys.stderr)


def load(path: str, progress=None, max_seconds: float | None = None) -> tuple[np.ndarray, Source]:
    """Decode the whole file to a float32 16 kHz mono array (what faster-whisper takes)."""
    pcm = iter_pcm(path, "flt", progress, max_seconds)
    src = next(pcm)
    # Preallocate from the declared length (capped: a corrupt header may claim hours)
    # so a long file costs ~1x its PCM, not the 2x of a list + concatenate.
    cap = min(4 * 3600, max_seconds or math.inf)
    buf = np.empty(int(min(src.declared or 60.0, cap) * SR) + SR, np.float32)
    n = 0
    for chunk in pcm:
        if n + len(chunk) > len(buf):
            buf.resize(max(2 * len(buf), n + len(chunk)), refcheck=False)
        buf[n : n + len(chunk)] = chunk
        n += len(chunk)
    buf.resize(n, refcheck=False)
    return buf, src


def decode_to_wav(path: str, output: str, progress=None, max_seconds: float | None = None) -> dict:
    """Write 16 kHz mono s16 WAV to `output` via `output.part` + rename; return Source info.
    Over `max_seconds`, iter_pcm raises before the excess reaches the disk; the .part goes."""
    pcm = iter_pcm(path, "s16", progress, max_seconds)
    src = next(pcm)
    part, samples = output + ".part", 0
    try:
        with wave.open(part, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SR)
            for chunk in pcm:
                w.writeframesraw(chunk.astype("<i2", copy=False).tobytes())
                samples += len(chunk)
        os.replace(part, output)
    except BaseException:
        if os.path.exists(part):
            os.unlink(part)
        raise
    return src.info(samples)
