"""The restricted reader of legacy torch checkpoints: real weights load, hostile pickles do not."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import io
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parley_engine.diarization import weights  # noqa: E402

# --- a tiny hand-written pickle assembler (protocol 2 opcodes), so no torch is needed --------


def _str(s: str) -> bytes:
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def _int(i: int) -> bytes:
    return b"J" + struct.pack("<i", i)


def _glob(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _tuple(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


def _pickle(body: bytes) -> bytes:
    return b"\x80\x02" + body + b"."


def _tensor(key: str, numel: int, offset: int, size, stride) -> bytes:
    pid = _tuple(_str("storage"), _glob("torch", "FloatStorage"), _str(key), _str("cpu"), _int(numel), b"N")
    hooks = _glob("collections", "OrderedDict") + b")R"
    args = _tuple(pid + b"Q", _int(offset), _tuple(*map(_int, size)), _tuple(*map(_int, stride)), b"\x89", hooks)
    return _glob("torch._utils", "_rebuild_tensor_v2") + args + b"R"


def _checkpoint(state_body: bytes, storages: dict[str, np.ndarray], header: bytes | None = None) -> bytes:
    magic = _pickle(b"\x8a\x0a" + weights.MAGIC_NUMBER.to_bytes(10, "little"))
    info = _pickle(b"}(" + _str("little_endian") + b"\x88u")
    keys = _pickle(b"](" + b"".join(_str(k) for k in storages) + b"e")
    data = b"".join(struct.pack("<q", len(v)) + v.astype("<f4").tobytes() for v in storages.values())
    return (header or magic) + _pickle(_int(weights.PROTOCOL_VERSION)) + info + _pickle(state_body) + keys + data


def test_crafted_checkpoint_rebuilds_offset_and_strides():
    store = np.arange(10, dtype=np.float32)
    # a 2x3 transposed view starting at element 2: [[2, 4, 6], [3, 5, 7]]
    body = b"}(" + _str("w") + _tensor("k0", 10, 2, (2, 3), (1, 2)) + b"u"
    out = weights.load_checkpoint(io.BytesIO(_checkpoint(body, {"k0": store})))
    np.testing.assert_array_equal(out["w"], [[2, 4, 6], [3, 5, 7]])


def _assert_refused(blob: bytes, marker: Path):
    with pytest.raises(weights.UnsafeCheckpointError):
        weights.load_checkpoint(io.BytesIO(blob))
    assert not marker.exists(), "the payload ran"


@pytest.mark.parametrize(
    "module,name",
    [("os", "system"), ("posix", "system"), ("builtins", "eval"), ("builtins", "exec"), ("subprocess", "call")],
)
def test_malicious_global_in_state_is_refused(tmp_path, module, name):
    marker = tmp_path / "pwned"
    arg = f"open({str(marker)!r}, 'w')" if name in ("eval", "exec") else f"touch {marker}"
    payload = _glob(module, name) + _str(arg) + b"\x85R"  # name(arg)
    _assert_refused(_checkpoint(b"}(" + _str("w") + payload + b"u", {}), marker)


def test_malicious_pickle_in_header_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    evil = _pickle(_glob("os", "system") + _str(f"touch {marker}") + b"\x85R")
    _assert_refused(_checkpoint(b"}", {}, header=evil), marker)


def test_tensor_past_its_storage_is_refused():
    body = b"}(" + _str("w") + _tensor("k0", 4, 2, (2, 3), (3, 1)) + b"u"  # needs 2+3+2+1 = 8 > 4
    with pytest.raises(weights.UnsafeCheckpointError):
        weights.load_checkpoint(io.BytesIO(_checkpoint(body, {"k0": np.zeros(4)})))


def test_truncated_storage_is_refused():
    body = b"}(" + _str("w") + _tensor("k0", 4, 0, (4,), (1,)) + b"u"
    blob = _checkpoint(body, {"k0": np.zeros(4)})[:-3]
    with pytest.raises(weights.UnsafeCheckpointError):
        weights.load_checkpoint(io.BytesIO(blob))


def test_resemblyzer_weights_load():
    try:
        path = weights.resemblyzer_weights_path()
    except FileNotFoundError:
        pytest.skip("resemblyzer is not installed")
    state = weights.load_encoder_state(path)
    assert state["lstm.weight_ih_l0"].shape == (1024, 40)
    for l in range(3):
        assert state[f"lstm.weight_hh_l{l}"].shape == (1024, 256)
        assert state[f"lstm.bias_ih_l{l}"].shape == (1024,)
    assert state["linear.weight"].shape == (256, 256)
    assert all(np.isfinite(v).all() for v in state.values())
    assert "torch" not in sys.modules, "loading the weights must not import torch"


def test_ensure_available_turns_missing_weights_into_import_error(monkeypatch):
    import parley_engine.diarization as diarization

    def missing():
        raise FileNotFoundError("resemblyzer is not installed")

    monkeypatch.setattr(diarization, "resemblyzer_weights_path", missing)
    with pytest.raises(ImportError, match="resemblyzer"):
        diarization.ensure_available()
