"""Peak extra memory of one diarize() call on a long recording (default 60 minutes).

    python bench/der_memory.py [--minutes 60]

The recording is the public eval clips (AMI minute, the four pyannote excerpts, the two
Picovoice clips) joined and repeated up to the length, built in memory (nothing written).
Run in a fresh process so that lazy imports inside diarize() count. "extra" = the process's
peak resident set (VmHWM, reset via /proc/self/clear_refs just before the call) minus its
resident set just before the call, i.e. everything diarization adds on top of the decoded
audio (float32, 230 MB per hour, which the engine holds anyway), models included.
The speaker count is fixed (`--speakers`, 4): clips of seven recordings played in a loop
can be counted as one voice, which would skip the resegmentation and its memory.
"""

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "engine")]
EVAL = Path(os.environ.get("PARLEY_EVAL_DIR", REPO.parent / "shared" / "eval"))
CLIPS = (
    ["pyannote-ami-es2004a/mixture.wav"]
    + [f"pyannote-debug/{u}.wav" for u in ("dev00", "dev01", "tst00", "tst01")]
    + ["picovoice-falcon/test.wav", "picovoice-leopard/diarization_test.wav"]
)


def _status(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # kB -> MB
    raise KeyError(key)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--speakers", type=int, default=4)
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a diarization Params field (as in bench/der.py)",
    )
    a = ap.parse_args(argv)
    from faster_whisper import decode_audio

    import dataclasses

    from parley_engine.diarization import Params, diarize

    params = Params()
    for kv in a.set:
        k, v = kv.split("=", 1)
        params = dataclasses.replace(params, **{k: type(getattr(params, k))(v)})

    clips = [decode_audio(str(EVAL / c), sampling_rate=16000) for c in CLIPS]
    n = int(a.minutes * 60 * 16000)
    audio = np.empty(n, np.float32)
    pos = 0
    while pos < n:
        for c in clips:
            take = min(len(c), n - pos)
            audio[pos : pos + take] = c[:take]
            pos += take
    del clips
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    before = _status("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    res = diarize(audio, num_speakers=a.speakers, params=params)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _status("VmHWM")
    print(
        f"{a.minutes:g} min: rss before {before:.0f} MB, peak {peak:.0f} MB, extra {peak - before:.0f} MB; "
        f"{len(res['speakers'])} speakers, {len(res['turns'])} turns; wall {wall:.1f} s, cpu {cpu:.1f} s; "
        f"sklearn imported: {'sklearn' in sys.modules}; {params.encoder} encoder"
    )


if __name__ == "__main__":
    main()
