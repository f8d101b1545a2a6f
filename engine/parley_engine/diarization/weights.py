"""Read resemblyzer's `pretrained.pt` (legacy, non-zip torch pickle) into numpy, without torch.

A torch checkpoint is a pickle, and unpickling runs whatever callables the file names. So
`find_class` resolves only the three globals this format needs, each to our own numpy
function; anything else (os.system, builtins.eval, ...) raises before it can be called.
"""

import importlib.util
import os
import pickle
import struct
from collections import OrderedDict

import numpy as np

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_MAX_ELEMENTS = 1 << 28  # 1 GiB of float32: far above any voice encoder, bounds a hostile header


class UnsafeCheckpointError(pickle.UnpicklingError):
    """The checkpoint names a global or a record this reader does not accept."""


class _FloatStorage:
    """Marker for `torch.FloatStorage`; never instantiated, only compared by identity."""


class _Storage:
    def __init__(self, key: str, numel: int):
        self.key, self.numel = key, numel
        self.data = np.zeros(numel, dtype="<f4")  # filled in place once the raw bytes are read


def _rebuild_tensor(storage, offset, size, stride, requires_grad=False, hooks=None, *extra):
    """Stand-in for torch._utils._rebuild_tensor_v2: a bounds-checked strided view of the storage."""
    if not isinstance(storage, _Storage):
        raise UnsafeCheckpointError("tensor does not refer to a storage")
    if not (isinstance(size, tuple) and isinstance(stride, tuple) and len(size) == len(stride)):
        raise UnsafeCheckpointError("bad tensor size/stride")
    if not all(isinstance(v, int) and v >= 0 for v in (offset, *size, *stride)):
        raise UnsafeCheckpointError("bad tensor size/stride")
    if 0 not in size:  # as_strided reads raw memory, so the last element must lie inside the storage
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= storage.numel:
            raise UnsafeCheckpointError("tensor runs past its storage")
    base = storage.data[offset:]
    item = base.itemsize
    return np.lib.stride_tricks.as_strided(base, shape=size, strides=tuple(s * item for s in stride), writeable=False)


_ALLOWED = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch", "FloatStorage"): _FloatStorage,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, f, storages=None):
        super().__init__(f)
        self.storages = storages

    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafeCheckpointError(f"checkpoint names a forbidden global {module}.{name}") from None

    def persistent_load(self, pid):
        if self.storages is None:
            raise UnsafeCheckpointError("unexpected persistent id")
        if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] == "storage"):
            raise UnsafeCheckpointError(f"unsupported persistent id {pid!r:.80}")
        _, kind, key, _location, numel = pid[:5]
        if kind is not _FloatStorage or not isinstance(key, str):
            raise UnsafeCheckpointError("only float32 storages are supported")
        if len(pid) == 6 and pid[5] is not None:
            raise UnsafeCheckpointError("storage views are not supported")
        if not isinstance(numel, int) or not 0 <= numel <= _MAX_ELEMENTS:
            raise UnsafeCheckpointError("bad storage size")
        st = self.storages.get(key)
        if st is None:
            st = self.storages[key] = _Storage(key, numel)
        elif st.numel != numel:
            raise UnsafeCheckpointError("storage size mismatch")
        return st


def _load_plain(f):
    return _RestrictedUnpickler(f).load()  # no globals, no persistent ids


def load_checkpoint(f) -> dict:
    """Parse a legacy torch checkpoint from a binary file object; tensors become float32 arrays."""
    if _load_plain(f) != MAGIC_NUMBER:
        raise UnsafeCheckpointError("not a legacy torch checkpoint (bad magic number)")
    if _load_plain(f) != PROTOCOL_VERSION:
        raise UnsafeCheckpointError("unsupported torch checkpoint protocol version")
    info = _load_plain(f)
    if not isinstance(info, dict) or not info.get("little_endian", False):
        raise UnsafeCheckpointError("only little-endian checkpoints are supported")
    storages: dict = {}
    obj = _RestrictedUnpickler(f, storages).load()
    keys = _load_plain(f)
    if not isinstance(keys, list) or sorted(map(str, keys)) != sorted(storages):
        raise UnsafeCheckpointError("storage key list does not match the storages used")
    for key in keys:
        st = storages[key]
        (count,) = struct.unpack("<q", f.read(8))
        raw = f.read(4 * st.numel)
        if count != st.numel or len(raw) != 4 * st.numel:
            raise UnsafeCheckpointError(f"storage {key}: truncated or wrong size")
        st.data[:] = np.frombuffer(raw, dtype="<f4")
    return obj


def resemblyzer_weights_path() -> str:
    """Path of resemblyzer's pretrained.pt, found without importing resemblyzer (it imports torch)."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("resemblyzer is not installed (pip install --no-deps resemblyzer==0.1.4)")
    for d in spec.submodule_search_locations:
        path = os.path.join(d, "pretrained.pt")
        if os.path.isfile(path):
            return path
    raise FileNotFoundError("resemblyzer's pretrained.pt was not found")


def load_encoder_state(path: str | None = None) -> dict[str, np.ndarray]:
    """The voice encoder's `model_state` as contiguous float32 arrays."""
    with open(path or resemblyzer_weights_path(), "rb") as fh:
        ckpt = load_checkpoint(fh)
    state = ckpt["model_state"] if isinstance(ckpt, dict) and "model_state" in ckpt else ckpt
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items() if isinstance(v, np.ndarray)}
