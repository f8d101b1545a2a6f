"""Quality profiles: wall time, CPU time and WER of accurate / balanced / fast on one file.

    OPENBLAS_NUM_THREADS=1 engine/.venv/bin/python bench/profiles.py [--file F --ref R.txt]
        [--repeat 3] [--model tiny.en] [--json]

Default inputs, both ~3 minutes: "clips", the concatenation bench/transcribe.py builds from
the clean eval clips (jfk, librispeech, leopard) with their references in order; and "ami",
AMI ES2004a headset channels 0, 1 and 3 (participants A, B, D: 3 x 60 s of real meeting
speech with cross-talk from the others; channel 2 holds two words) with the A, B, D word
references in the same order. WER is word-level Levenshtein / reference words, text
lower-cased with punctuation removed (bench/transcribe.py's wer). Runs in this process on one loaded model, the way a
warm engine runs jobs: the model load is paid once, before timing. Profiles are run in
rotation (accurate, balanced, fast, accurate, ...) so drifting background load on a shared
box hits each alike; figures are medians. CPU time is the process's user+system time, all
threads. Prints figures only; asserts nothing.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "engine"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from transcribe import EVAL, build_long, concat_wavs, wer  # noqa: E402  (bench/transcribe.py)

AMI = EVAL / "pyannote-ami-es2004a"


def build_ami(tmp: Path) -> tuple[Path, str]:
    """Headset channels 0, 1, 3 back to back; letter N = headset N (see its SOURCE.md)."""
    chans = [("0", "A"), ("1", "B"), ("3", "D")]
    out = concat_wavs([AMI / "sources" / f"source{n}.wav" for n, _ in chans], tmp / "ami-headsets-180s.wav")
    ref = " ".join((AMI / "text" / f"mixture.{c}.words_joined.txt").read_text() for _, c in chans)
    return out, ref


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path)
    ap.add_argument("--ref", type=Path, help="reference text for --file")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default=None, help="default: the bundled tiny.en")
    ap.add_argument("--profiles", nargs="+", default=["accurate", "balanced", "fast"])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from parley_engine import audio, models

    with tempfile.TemporaryDirectory(prefix="parley-profiles-") as tmp:
        if args.file:
            inputs = [(args.file, args.ref.read_text() if args.ref else None)]
        else:
            inputs = [build_long(Path(tmp)), build_ami(Path(tmp))]
        inputs = [(path, ref, audio.load(str(path))[0]) for path, ref in inputs]
    t = time.perf_counter()
    name, _ = models.get(args.model)
    load = time.perf_counter() - t
    for path, ref, samples in inputs:
        bench(path, ref, samples, name, load, args)


def bench(path, ref, samples, name, load, args) -> None:
    from parley_engine import models, transcribe

    runs = {p: [] for p in args.profiles}
    for _ in range(args.repeat):
        for profile in args.profiles:
            wall, cpu = time.perf_counter(), time.process_time()
            result = transcribe.run(samples, model=args.model, profile=profile)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            text = " ".join(s["text"] for s in result["segments"])
            runs[profile].append(
                {
                    "wall": wall,
                    "cpu": cpu,
                    "wer": wer(ref, text) if ref else None,
                    "settings": result["settings"],
                    "words": len(text.split()),
                }
            )
    duration = len(samples) / 16000
    rows = [
        {
            "profile": p,
            "wall": statistics.median(r["wall"] for r in rs),
            "cpu": statistics.median(r["cpu"] for r in rs),
            "wer": rs[0]["wer"],
            "wer_all": [r["wer"] for r in rs],
            "settings": rs[0]["settings"],
        }
        for p, rs in runs.items()
    ]
    if args.json:
        print(
            json.dumps(
                {
                    "file": str(path),
                    "duration": duration,
                    "model": name,
                    "load": load,
                    "cpus": len(os.sched_getaffinity(0)),
                    "threads": models.cpu_threads(),
                    "loadavg": os.getloadavg(),
                    "rows": rows,
                },
                indent=2,
            )
        )
        return
    print(
        f"{path.name}: {duration:.1f} s of audio, model {name} (loaded in {load:.2f} s), "
        f"{models.cpu_threads()} CTranslate2 threads, median of {args.repeat}, "
        f"load avg {os.getloadavg()[0]:.2f}"
    )
    print("profile | beam | batched | wall s | RTF | CPU s | WER")
    for r in rows:
        w = "-" if r["wer"] is None else f"{100 * r['wer']:.1f}%"
        if r["wer"] is not None and len(set(r["wer_all"])) > 1:
            w += f" (runs: {', '.join(f'{100 * x:.1f}' for x in r['wer_all'])})"
        print(
            f"{r['profile']} | {r['settings']['beam_size']} | {r['settings']['batched']} | "
            f"{r['wall']:.2f} | {r['wall'] / duration:.3f} | {r['cpu']:.2f} | {w}"
        )


if __name__ == "__main__":
    main()
