"""Recurrent layers and nn.utils.rnn against live PyTorch: the same weights (copied through
state_dict) give the same outputs, final states and gradients; the same misuse raises the
same exception type with the same message (``torch.`` read as ``ember.``)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import ember
import ember.nn as enn
from ember.nn.utils import rnn as eu

torch = pytest.importorskip("torch")
tu = torch.nn.utils.rnn

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # dropout with one layer

KINDS = {"RNN": {}, "RNN_relu": {"nonlinearity": "relu"}, "LSTM": {}, "LSTM_proj": {"proj_size": 3}, "GRU": {}}


def _pair(kind: str, **kw: Any) -> tuple[Any, Any]:
    name = kind.split("_")[0]
    extra = dict(KINDS[kind])
    t = getattr(torch.nn, name)(4, 5, **extra, **kw).double()
    e = getattr(enn, name)(4, 5, **extra, **kw, dtype=ember.float64)
    e.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    return t, e


def _n(x: Any) -> np.ndarray:
    return x.detach().numpy()


def _flat(hidden: Any) -> list[Any]:
    return list(hidden) if isinstance(hidden, tuple) else [hidden]


@pytest.mark.parametrize("kind,layers,bidirectional,batch_first,bias", [
    (k, layers, bi, bf, bias) for k, layers, bi, bf, bias in itertools.product(
        KINDS, (1, 2), (False, True), (False, True), (True, False)) if bias or layers == 2])
def test_forward_backward_match_torch(kind, layers, bidirectional, batch_first, bias):
    t, e = _pair(kind, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    x_np = np.random.default_rng(0).standard_normal((3, 6, 4) if batch_first else (6, 3, 4))
    xt = torch.tensor(x_np, requires_grad=True)
    xe = ember.from_numpy(x_np.copy()).requires_grad_()
    ot, ht = t(xt)
    oe, he = e(xe)
    np.testing.assert_allclose(_n(oe), _n(ot), rtol=1e-10, atol=1e-12)
    for a, b in zip(_flat(he), _flat(ht), strict=True):
        np.testing.assert_allclose(_n(a), _n(b), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(tuple(ot.shape))
    (ot * torch.tensor(g)).sum().backward()
    (oe * ember.from_numpy(g)).sum().backward()
    np.testing.assert_allclose(_n(xe.grad), _n(xt.grad), rtol=1e-9, atol=1e-12)
    for (name, pt), pe in zip(t.named_parameters(), e.parameters(), strict=True):
        np.testing.assert_allclose(_n(pe.grad), _n(pt.grad), rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_match_torch(kind, enforce_sorted):
    t, e = _pair(kind, num_layers=2, bidirectional=True)
    lengths = [6, 4, 4, 1] if enforce_sorted else [4, 6, 1, 4]
    x_np = np.random.default_rng(2).standard_normal((6, 4, 4))
    pt = tu.pack_padded_sequence(torch.tensor(x_np), lengths, enforce_sorted=enforce_sorted)
    pe = eu.pack_padded_sequence(ember.from_numpy(x_np), lengths, enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(_n(pe.data), _n(pt.data))
    ot, ht = t(pt)
    oe, he = e(pe)
    np.testing.assert_allclose(_n(oe.data), _n(ot.data), rtol=1e-10, atol=1e-12)
    for a, b in zip(_flat(he), _flat(ht), strict=True):
        np.testing.assert_allclose(_n(a), _n(b), rtol=1e-10, atol=1e-12)
    padded_t, lt = tu.pad_packed_sequence(ot, batch_first=True, padding_value=-1.0, total_length=7)
    padded_e, le = eu.pad_packed_sequence(oe, batch_first=True, padding_value=-1.0, total_length=7)
    np.testing.assert_allclose(_n(padded_e), _n(padded_t), rtol=1e-10, atol=1e-12)
    assert le.tolist() == lt.tolist()


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(cell, batched):
    t = getattr(torch.nn, cell)(4, 5).double()
    e = getattr(enn, cell)(4, 5, dtype=ember.float64)
    e.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((3, 4) if batched else (4,))
    np.testing.assert_allclose(_n(_flat(e(ember.from_numpy(x)))[0]), _n(_flat(t(torch.tensor(x)))[0]), rtol=1e-10)


def test_pad_sequence_matches_torch():
    rng = np.random.default_rng(4)
    seqs = [rng.standard_normal((n, 2)) for n in (2, 5, 3)]
    for batch_first, side in itertools.product((False, True), ("left", "right")):
        a = eu.pad_sequence([ember.from_numpy(s) for s in seqs], batch_first, 1.5, side)
        b = tu.pad_sequence([torch.tensor(s) for s in seqs], batch_first, 1.5, side)
        np.testing.assert_array_equal(_n(a), _n(b))


def _same_error(fe: Any, ft: Any) -> None:
    with pytest.raises(Exception) as et:
        ft()
    with pytest.raises(Exception) as ee:
        fe()
    assert type(ee.value) is type(et.value)
    assert str(ee.value) == str(et.value).replace("torch.", "ember.")


@pytest.mark.parametrize("case", range(9))
def test_errors_match_torch(case):
    def run(lib: Any, nn: Any) -> Any:
        r = lambda *s, dtype=None: lib.randn(*s, dtype=dtype or lib.float32)  # noqa: E731
        return [
            lambda: nn.LSTM(3, 4)(r(5, 2, 3, dtype=lib.float64)),
            lambda: nn.LSTM(3, 4)(r(5, 2, 7)),
            lambda: nn.GRU(3, 4)(r(2, 3, 4, 5)),
            lambda: nn.LSTM(3, 4)(r(5, 2, 3), (r(1, 3, 4), r(1, 2, 4))),
            lambda: nn.GRU(3, 4)(r(5, 3), r(1, 1, 4)),
            lambda: nn.RNN(3, 4, nonlinearity="x"),
            lambda: nn.LSTM(3, 4, proj_size=4),
            lambda: nn.GRUCell(3, 4)(r(2, 3), r(3, 4)),
            lambda: nn.LSTMCell(3, 4)(r(2, 5)),
        ][case]()

    _same_error(lambda: run(ember, enn), lambda: run(torch, torch.nn))
