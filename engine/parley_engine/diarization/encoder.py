"""resemblyzer's d-vector encoder (GE2E, 3-layer LSTM 40→256, linear 256→256, ReLU, L2) in numpy.

Speed (single BLAS thread, ~1 % of real time): windows are batched (one GEMM over the batch
per timestep), the input projection is one GEMM per chunk of timesteps, and all four gates go
through a single tanh: sigmoid(x) = 0.5 * tanh(x / 2) + 0.5, so the i/f/o rows are pre-scaled
by 0.5. Float32 throughout; a batch of 128 windows needs ~40 MB.
"""

import functools

import numpy as np

from .weights import load_encoder_state


def _reorder(w: np.ndarray, h: int) -> np.ndarray:
    """PyTorch gate order (i, f, g, o) → (i, f, o, g) so the three sigmoid gates are contiguous."""
    i, f, g, o = (w[k * h : (k + 1) * h] for k in range(4))
    return np.concatenate([0.5 * i, 0.5 * f, 0.5 * o, g])


class LSTMEncoder:
    TIME_CHUNK = 32  # timesteps whose input projection is computed at once (bounds memory)

    def __init__(self, state: dict[str, np.ndarray], num_layers: int | None = None):
        n = num_layers or sum(1 for k in state if k.startswith("lstm.weight_ih_l"))
        self.hidden = state["lstm.weight_hh_l0"].shape[1]
        h = self.hidden
        self.layers = []
        for l in range(n):
            w_ih = _reorder(state[f"lstm.weight_ih_l{l}"], h).T.astype(np.float32).copy()
            w_hh = _reorder(state[f"lstm.weight_hh_l{l}"], h).T.astype(np.float32).copy()
            b = _reorder(state[f"lstm.bias_ih_l{l}"] + state[f"lstm.bias_hh_l{l}"], h)
            self.layers.append((w_ih, w_hh, b.astype(np.float32)))
        self.lin_w = state["linear.weight"].T.astype(np.float32).copy()
        self.lin_b = state["linear.bias"].astype(np.float32)

    def last_hidden(self, x: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
        """Top layer's final hidden state for a batch x (B, T, n_in).

        Shorter sequences (lengths < T) must be *right*-aligned in x: their state is held at zero
        until they start, which equals running them alone from a zero state.
        """
        B, T, _ = x.shape
        H = self.hidden
        seq = np.ascontiguousarray(x.transpose(1, 0, 2), dtype=np.float32)  # time-major
        mask = None
        if lengths is not None and np.any(np.asarray(lengths) < T):
            start = T - np.asarray(lengths)
            mask = (np.arange(T)[:, None] >= start[None, :]).astype(np.float32)[:, :, None]
        z = np.empty((B, 4 * H), dtype=np.float32)
        ig = np.empty((B, H), dtype=np.float32)
        for li, (w_ih, w_hh, b) in enumerate(self.layers):
            last = li == len(self.layers) - 1
            out = None if last else np.empty((T, B, H), dtype=np.float32)
            h = np.zeros((B, H), dtype=np.float32)
            c = np.zeros_like(h)
            for t0 in range(0, T, self.TIME_CHUNK):  # input projection: one GEMM per chunk of steps
                pre = seq[t0 : t0 + self.TIME_CHUNK] @ w_ih
                pre += b
                for t in range(t0, t0 + len(pre)):
                    np.matmul(h, w_hh, out=z)
                    z += pre[t - t0]
                    np.tanh(z, out=z)
                    sig = z[:, : 3 * H]
                    sig *= 0.5
                    sig += 0.5  # i, f, o = sigmoid
                    c *= z[:, H : 2 * H]  # forget gate
                    np.multiply(z[:, :H], z[:, 3 * H :], out=ig)  # input gate * candidate
                    c += ig
                    if mask is not None:
                        c *= mask[t]
                    h = out[t] if out is not None else h
                    np.tanh(c, out=h)
                    h *= z[:, 2 * H : 3 * H]  # output gate
            seq = out
        return h

    def embed(self, x: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
        """(B, T, 40) mel windows → (B, 256) L2-normalised embeddings."""
        e = np.maximum(self.last_hidden(x, lengths) @ self.lin_w + self.lin_b, 0.0)
        norm = np.linalg.norm(e, axis=1, keepdims=True)
        return e / np.maximum(norm, 1e-12)


@functools.lru_cache(maxsize=1)
def default_encoder() -> LSTMEncoder:
    """The pretrained resemblyzer encoder, loaded once per process."""
    return LSTMEncoder(load_encoder_state())


def embed_windows(
    mel: np.ndarray,
    starts,
    lengths,
    encoder: LSTMEncoder | None = None,
    batch: int = 128,
    progress=None,
    rows: np.ndarray | None = None,
    gain: float = 1.0,
) -> np.ndarray:
    """Embed mel[start:start+length] for each window; windows of similar length share a batch.

    rows: windows index this array of row numbers of `mel` instead of `mel` itself (window k is
    mel[rows[start:start+length]]), and each window is multiplied by `gain`; so the caller needs
    no compacted, scaled copy of the mel spectrogram.
    """
    enc = encoder or default_encoder()
    starts, lengths = np.asarray(starts, dtype=int), np.asarray(lengths, dtype=int)
    out = np.zeros((len(starts), enc.lin_w.shape[1]), dtype=np.float32)
    order = np.argsort(-lengths, kind="stable")
    for i in range(0, len(order), batch):
        idx = order[i : i + batch]
        T = int(lengths[idx].max())
        x = np.zeros((len(idx), T, mel.shape[1]), dtype=np.float32)
        for j, k in enumerate(idx):  # right-align: see LSTMEncoder.last_hidden
            sel = slice(starts[k], starts[k] + lengths[k])
            x[j, T - lengths[k] :] = mel[sel] if rows is None else mel[rows[sel]]
        if gain != 1.0:
            x *= gain
        out[idx] = enc.embed(x, lengths[idx])
        if progress is not None:
            progress(min(1.0, (i + batch) / len(order)))
    return out
