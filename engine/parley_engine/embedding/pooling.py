"""Sentence vectors from token states, as sentence-transformers' Pooling(mean) + Normalize."""

import numpy as np


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the (B, T, H) token states over the real tokens (mask 1), padding excluded."""
    m = np.asarray(mask, dtype=np.float32)
    summed = (m[:, None, :] @ hidden)[:, 0, :]  # (B, H)
    return summed / np.maximum(m.sum(axis=1, keepdims=True), np.float32(1e-9))


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (torch.nn.functional.normalize: norm clamped at 1e-12)."""
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norm, np.float32(1e-12))
