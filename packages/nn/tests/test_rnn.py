"""RNN, LSTM, GRU and their cells against a NumPy reference of the recurrences (values, weights
loaded through load_state_dict), a hand-written NumPy backward (LSTM), finite differences
(gradcheck, float64), and torch's shapes, parameter names, reprs and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn as nn
from ember.autograd import gradcheck
from ember.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")


# ------------------------------------------------------------------------------ NumPy reference

def _sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def np_step(mode, x, h, c, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None):
    """One step, written from the equations in torch's documentation."""
    gi = x @ w_ih.T + (0 if b_ih is None else b_ih)
    gh = h @ w_hh.T + (0 if b_hh is None else b_hh)
    if mode == "RNN_TANH":
        return np.tanh(gi + gh), None
    if mode == "RNN_RELU":
        return np.maximum(gi + gh, 0), None
    if mode == "LSTM":
        i, f, g, o = np.split(gi + gh, 4, axis=-1)
        c = _sig(f) * c + _sig(i) * np.tanh(g)
        h = _sig(o) * np.tanh(c)
        return (h if w_hr is None else h @ w_hr.T), c
    r_i, z_i, n_i = np.split(gi, 3, axis=-1)
    r_h, z_h, n_h = np.split(gh, 3, axis=-1)
    r, z = _sig(r_i + r_h), _sig(z_i + z_h)
    n = np.tanh(n_i + r * n_h)
    return (1 - z) * n + z * h, None


def np_sequence(mode, xs, h0, c0, params, layers, dirs):
    """One sequence xs (T, I); h0 (L*D, H_out), c0 (L*D, H) or None. Returns out, h_n, c_n."""
    inp, hn, cn = xs, [], []
    steps = xs.shape[0]
    for layer in range(layers):
        outs = []
        for d in range(dirs):
            sfx = f"l{layer}" + ("_reverse" if d else "")
            w = [params.get(f"{k}_{sfx}") for k in KINDS]
            h, c = h0[layer * dirs + d], None if c0 is None else c0[layer * dirs + d]
            out = np.zeros((steps, h.shape[-1]))
            for t in range(steps) if d == 0 else range(steps - 1, -1, -1):
                h, c = np_step(mode, inp[t], h, c, *w)
                out[t] = h
            outs.append(out)
            hn.append(h)
            cn.append(c)
        inp = np.concatenate(outs, -1)
    return inp, np.stack(hn), (None if c0 is None else np.stack(cn))


def np_batch(mode, x, h0, c0, params, layers, dirs, lengths=None):
    """Time-major x (T, B, I); each sequence b runs on its first lengths[b] steps; out is zero-padded."""
    steps, batch = x.shape[:2]
    lengths = [steps] * batch if lengths is None else lengths
    if batch == 0:
        return np.zeros((steps, 0, dirs * h0.shape[2])), h0, c0
    outs, hs, cs = [], [], []
    for b in range(batch):
        o, h, c = np_sequence(mode, x[: lengths[b], b], h0[:, b], None if c0 is None else c0[:, b],
                              params, layers, dirs)
        outs.append(np.concatenate([o, np.zeros((steps - lengths[b], o.shape[1]))]))
        hs.append(h)
        cs.append(c)
    return np.stack(outs, 1), np.stack(hs, 1), (None if c0 is None else np.stack(cs, 1))


# ------------------------------------------------------------------------------ helpers

MODES = {  # name -> (class, kwargs, reference mode)
    "rnn_tanh": (nn.RNN, {}, "RNN_TANH"),
    "rnn_relu": (nn.RNN, {"nonlinearity": "relu"}, "RNN_RELU"),
    "lstm": (nn.LSTM, {}, "LSTM"),
    "lstm_proj": (nn.LSTM, {"proj_size": 2}, "LSTM"),
    "gru": (nn.GRU, {}, "GRU"),
}


def make(name, rng, input_size=3, hidden_size=4, **kw):
    """A float64 module whose weights are loaded from NumPy arrays; returns (module, arrays)."""
    cls, extra, _ = MODES[name]
    m = cls(input_size, hidden_size, dtype=ember.float64, **extra, **kw)
    params = {k: rng.uniform(-0.8, 0.8, tuple(v.shape)) for k, v in m.state_dict().items()}
    m.load_state_dict({k: ember.from_numpy(v.copy()) for k, v in params.items()})
    return m, params


def arr(t):
    return t.detach().numpy()


def states(name, rng, m, batch):
    """Random (h0, c0) as NumPy, shaped as the module expects."""
    dirs = 2 if m.bidirectional else 1
    h_out = m.proj_size if m.proj_size else m.hidden_size
    h0 = rng.standard_normal((m.num_layers * dirs, batch, h_out))
    c0 = rng.standard_normal((m.num_layers * dirs, batch, m.hidden_size)) if MODES[name][0] is nn.LSTM else None
    return h0, c0


def call(m, x, h0, c0):
    if h0 is None:
        return m(x)
    if c0 is None:
        return m(x, ember.from_numpy(h0))
    return m(x, (ember.from_numpy(h0), ember.from_numpy(c0)))


def check(name, m, params, x_np, h0, c0, out, hidden, lengths=None):
    dirs = 2 if m.bidirectional else 1
    batch = x_np.shape[1]
    if h0 is None:
        h0, c0 = np.zeros_like(states(name, np.random.default_rng(0), m, batch)[0]), None
        if MODES[name][0] is nn.LSTM:
            c0 = np.zeros((m.num_layers * dirs, batch, m.hidden_size))
    ro, rh, rc = np_batch(MODES[name][2], x_np, h0, c0, params, m.num_layers, dirs, lengths)
    np.testing.assert_allclose(arr(out), ro, rtol=1e-10, atol=1e-12)
    if rc is None:
        np.testing.assert_allclose(arr(hidden), rh, rtol=1e-10, atol=1e-12)
    else:
        np.testing.assert_allclose(arr(hidden[0]), rh, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(arr(hidden[1]), rc, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------ values

@pytest.mark.parametrize("name", list(MODES))
@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, False), (1, True), (2, True)])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_values_match_numpy(name, layers, bidirectional, batch_first, with_state):
    rng = np.random.default_rng(1)
    m, params = make(name, rng, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
    x_np = rng.standard_normal((5, 2, 3))  # time-major
    h0, c0 = states(name, rng, m, 2) if with_state else (None, None)
    x = ember.from_numpy(x_np.transpose(1, 0, 2).copy() if batch_first else x_np)
    out, hidden = call(m, x, h0, c0)
    dirs = 2 if bidirectional else 1
    h_out = m.proj_size or m.hidden_size
    assert tuple(out.shape) == ((2, 5, dirs * h_out) if batch_first else (5, 2, dirs * h_out))
    if batch_first:
        out = out.transpose(0, 1)
    check(name, m, params, x_np, h0, c0, out, hidden)


@pytest.mark.parametrize("name", ["rnn_tanh", "lstm", "gru"])
def test_no_bias(name):
    rng = np.random.default_rng(2)
    m, params = make(name, rng, num_layers=2, bias=False)
    assert not any("bias" in n for n, _ in m.named_parameters())
    x_np = rng.standard_normal((4, 3, 3))
    out, hidden = m(ember.from_numpy(x_np))
    check(name, m, params, x_np, None, None, out, hidden)


@settings(max_examples=15, deadline=None)
@given(name=st.sampled_from(list(MODES)), steps=st.integers(1, 4), batch=st.integers(0, 3),
       input_size=st.integers(1, 3), hidden=st.integers(3, 4), layers=st.integers(1, 2),
       bidirectional=st.booleans(), layout=st.sampled_from(["contiguous", "transposed", "strided"]))
def test_property_shapes_and_layouts(name, steps, batch, input_size, hidden, layers, bidirectional, layout):
    rng = np.random.default_rng(3)
    m, params = make(name, rng, input_size, hidden, num_layers=layers, bidirectional=bidirectional)
    x_np = rng.standard_normal((steps, batch, input_size))
    if layout == "transposed":  # a non-contiguous view of the same values
        x = ember.from_numpy(x_np.transpose(1, 0, 2).copy()).transpose(0, 1)
    elif layout == "strided":
        x = ember.from_numpy(np.repeat(x_np, 2, axis=0))[::2]
    else:
        x = ember.from_numpy(x_np)
    assert tuple(x.shape) == x_np.shape
    out, hidden_out = m(x)
    check(name, m, params, x_np, None, None, out, hidden_out)


@pytest.mark.parametrize("name", list(MODES))
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched(name, batch_first):
    rng = np.random.default_rng(4)
    m, params = make(name, rng, num_layers=2, bidirectional=True, batch_first=batch_first)
    x_np = rng.standard_normal((5, 3))
    h0, c0 = states(name, rng, m, 1)
    h0_, c0_ = h0[:, 0], None if c0 is None else c0[:, 0]
    out, hidden = call(m, ember.from_numpy(x_np), h0_, c0_)
    ro, rh, rc = np_sequence(MODES[name][2], x_np, h0_, c0_, params, 2, 2)
    np.testing.assert_allclose(arr(out), ro, rtol=1e-10)
    np.testing.assert_allclose(arr(hidden if rc is None else hidden[0]), rh, rtol=1e-10)
    if rc is not None:
        np.testing.assert_allclose(arr(hidden[1]), rc, rtol=1e-10)


def test_float32_default_and_init_range():
    ember.manual_seed(0)
    m = nn.LSTM(5, 16, num_layers=2)
    for _, p in m.named_parameters():
        assert p.dtype == ember.float32 and p.requires_grad
        v = arr(p)
        assert np.abs(v).max() <= 0.25 and v.std() > 0.1  # U(-1/4, 1/4)
    out, (h, c) = m(ember.randn(3, 2, 5))
    assert out.dtype == ember.float32 and tuple(h.shape) == (2, 2, 16) and tuple(c.shape) == (2, 2, 16)


# ------------------------------------------------------------------------------ gradients

@pytest.mark.parametrize("name", list(MODES))
def test_gradcheck(name):
    rng = np.random.default_rng(5)
    proj = name == "lstm_proj"  # proj_size 2 needs hidden_size 3: keep it one-directional (time)
    m, _ = make(name, rng, 1, 3 if proj else 2, num_layers=2, bidirectional=not proj)
    x = ember.from_numpy(rng.standard_normal((3, 2, 1))).requires_grad_()
    h0, c0 = states(name, rng, m, 2)
    h = [ember.from_numpy(h0).requires_grad_()]
    if c0 is not None:
        h.append(ember.from_numpy(c0).requires_grad_())

    def f(x, *args):
        out, hid = m(x, tuple(args[:2]) if len(h) == 2 else args[0])
        return (out, *(hid if len(h) == 2 else (hid,)))

    # the module's parameters are inputs too: gradcheck perturbs them in place
    assert gradcheck(f, (x, *h, *m.parameters()))


def test_lstm_gradients_match_numpy_backward():
    """Backprop through time by hand in NumPy for a one-layer LSTM, against autograd."""
    rng = np.random.default_rng(6)
    m, p = make("lstm", rng, 3, 4)
    steps, batch, hid = 5, 2, 4
    x_np = rng.standard_normal((steps, batch, 3))
    h0, c0 = states("lstm", rng, m, batch)
    g_out = rng.standard_normal((steps, batch, hid))
    w_ih, w_hh = p["weight_ih_l0"], p["weight_hh_l0"]
    b = p["bias_ih_l0"] + p["bias_hh_l0"]
    # forward, keeping what backward needs
    hs, cs, acts = [h0[0]], [c0[0]], []
    for t in range(steps):
        z = x_np[t] @ w_ih.T + hs[-1] @ w_hh.T + b
        i, f, g, o = _sig(z[:, :hid]), _sig(z[:, hid:2 * hid]), np.tanh(z[:, 2 * hid:3 * hid]), _sig(z[:, 3 * hid:])
        cs.append(f * cs[-1] + i * g)
        hs.append(o * np.tanh(cs[-1]))
        acts.append((i, f, g, o))
    # backward
    dh, dc = np.zeros((batch, hid)), np.zeros((batch, hid))
    dw_ih, dw_hh, db, dx = np.zeros_like(w_ih), np.zeros_like(w_hh), np.zeros(4 * hid), np.zeros_like(x_np)
    for t in range(steps - 1, -1, -1):
        i, f, g, o = acts[t]
        dh = dh + g_out[t]
        tc = np.tanh(cs[t + 1])
        dc = dc + dh * o * (1 - tc**2)
        dz = np.concatenate([dc * g * i * (1 - i), dc * cs[t] * f * (1 - f), dc * i * (1 - g**2),
                             dh * tc * o * (1 - o)], axis=1)
        dw_ih += dz.T @ x_np[t]
        dw_hh += dz.T @ hs[t]
        db += dz.sum(0)
        dx[t] = dz @ w_ih
        dh, dc = dz @ w_hh, dc * f
    x = ember.from_numpy(x_np).requires_grad_()
    h0_t, c0_t = ember.from_numpy(h0).requires_grad_(), ember.from_numpy(c0).requires_grad_()
    out, _ = m(x, (h0_t, c0_t))
    (out * ember.from_numpy(g_out)).sum().backward()
    np.testing.assert_allclose(arr(out), np.stack(hs[1:]), rtol=1e-10)
    np.testing.assert_allclose(arr(m.weight_ih_l0.grad), dw_ih, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(arr(m.weight_hh_l0.grad), dw_hh, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(arr(m.bias_ih_l0.grad), db, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(arr(m.bias_hh_l0.grad), db, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(arr(x.grad), dx, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(arr(h0_t.grad)[0], dh, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(arr(c0_t.grad)[0], dc, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------------------ dropout

@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
def test_dropout_between_layers(cls):
    ember.manual_seed(0)
    m = cls(4, 8, num_layers=3, dropout=0.5, dtype=ember.float64)
    x = ember.randn(6, 3, 4, dtype=ember.float64)
    m.eval()
    e1, e2 = arr(m(x)[0]), arr(m(x)[0])
    np.testing.assert_array_equal(e1, e2)  # deterministic in eval
    m.dropout = 0.0
    m.train()
    np.testing.assert_array_equal(arr(m(x)[0]), e1)  # p=0 in training == eval
    m.dropout = 0.5
    ember.manual_seed(1)
    t1 = arr(m(x)[0])
    ember.manual_seed(1)
    np.testing.assert_array_equal(arr(m(x)[0]), t1)  # same seed, same mask
    assert np.abs(t1 - e1).max() > 1e-3


def test_dropout_with_one_layer_warns_and_does_nothing():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        m = nn.GRU(3, 4, dropout=0.5)
    x = ember.randn(4, 2, 3)
    np.testing.assert_array_equal(arr(m(x)[0]), arr(m.eval()(x)[0]))


# ------------------------------------------------------------------------------ packed input

@pytest.mark.parametrize("name", list(MODES))
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_input(name, bidirectional, enforce_sorted):
    rng = np.random.default_rng(7)
    m, params = make(name, rng, num_layers=2, bidirectional=bidirectional)
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    x_np = rng.standard_normal((5, 4, 3))
    h0, c0 = states(name, rng, m, 4)
    packed = pack_padded_sequence(ember.from_numpy(x_np), lengths, enforce_sorted=enforce_sorted)
    out, hidden = call(m, packed, h0, c0)
    assert type(out).__name__ == "PackedSequence"
    padded, lens = pad_packed_sequence(out)
    assert lens.tolist() == lengths
    check(name, m, params, x_np, h0, c0, padded, hidden, lengths)


def test_packed_gradcheck():
    rng = np.random.default_rng(8)
    m, _ = make("gru", rng, 2, 2, bidirectional=True)
    x = ember.from_numpy(rng.standard_normal((3, 3, 2))).requires_grad_()

    def f(x, *params):
        out, h = m(pack_padded_sequence(x, [2, 3, 1], enforce_sorted=False))
        return pad_packed_sequence(out)[0], h

    assert gradcheck(f, (x, *m.parameters()))


# ------------------------------------------------------------------------------ cells

CELLS = {"rnn_tanh": (nn.RNNCell, {}), "rnn_relu": (nn.RNNCell, {"nonlinearity": "relu"}),
         "lstm": (nn.LSTMCell, {}), "gru": (nn.GRUCell, {})}


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_numpy(name, bias):
    rng = np.random.default_rng(9)
    cls, extra = CELLS[name]
    cell = cls(3, 4, bias=bias, dtype=ember.float64, **extra)
    params = {k: rng.uniform(-1, 1, tuple(v.shape)) for k, v in cell.state_dict().items()}
    cell.load_state_dict({k: ember.from_numpy(v) for k, v in params.items()})
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    mode = MODES[name][2]
    w = [params.get(k) for k in KINDS[:4]]
    rh, rc = np_step(mode, x, h, c, *w)
    lstm = cls is nn.LSTMCell
    got = cell(ember.from_numpy(x), (ember.from_numpy(h), ember.from_numpy(c)) if lstm else ember.from_numpy(h))
    np.testing.assert_allclose(arr(got[0] if lstm else got), rh, rtol=1e-12)
    if lstm:
        np.testing.assert_allclose(arr(got[1]), rc, rtol=1e-12)
    # no state means zeros; unbatched input gives unbatched output
    z = np.zeros((2, 4))
    got0 = cell(ember.from_numpy(x))
    np.testing.assert_allclose(arr(got0[0] if lstm else got0), np_step(mode, x, z, z, *w)[0], rtol=1e-12)
    got1 = cell(ember.from_numpy(x[0]), (ember.from_numpy(h[0]), ember.from_numpy(c[0])) if lstm
                else ember.from_numpy(h[0]))
    np.testing.assert_allclose(arr(got1[0] if lstm else got1), rh[0], rtol=1e-12)


@pytest.mark.parametrize("name", list(CELLS))
def test_cells_gradcheck(name):
    cls, extra = CELLS[name]
    ember.manual_seed(0)
    cell = cls(2, 3, dtype=ember.float64, **extra)
    x = ember.randn(2, 2, dtype=ember.float64, requires_grad=True)
    h = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    c = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    if cls is nn.LSTMCell:
        assert gradcheck(lambda x, h, c, *p: cell(x, (h, c)), (x, h, c, *cell.parameters()))
    else:
        assert gradcheck(lambda x, h, *p: cell(x, h), (x, h, *cell.parameters()))


def test_cell_parameters_and_repr():
    cell = nn.LSTMCell(10, 20)
    assert [(n, tuple(p.shape)) for n, p in cell.named_parameters()] == [
        ("weight_ih", (80, 10)), ("weight_hh", (80, 20)), ("bias_ih", (80,)), ("bias_hh", (80,))]
    assert repr(cell) == "LSTMCell(10, 20)"
    assert repr(nn.RNNCell(3, 4, bias=False, nonlinearity="relu")) == "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    assert repr(nn.GRUCell(3, 4)) == "GRUCell(3, 4)"
    g = nn.GRUCell(3, 4, bias=False)
    assert g.bias_ih is None and [n for n, _ in g.named_parameters()] == ["weight_ih", "weight_hh"]


def test_cell_errors():
    cell = nn.RNNCell(3, 4)
    with pytest.raises(ValueError, match="RNNCell: Expected input to be 1D or 2D, got 3D instead"):
        cell(ember.randn(1, 2, 3))
    with pytest.raises(ValueError, match="RNNCell: Expected hidden to be 1D or 2D, got 3D instead"):
        cell(ember.randn(2, 3), ember.randn(1, 2, 4))
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 5 expected 3"):
        cell(ember.randn(2, 5))
    with pytest.raises(RuntimeError, match="Input batch size 2 doesn't match hidden0 batch size 3"):
        cell(ember.randn(2, 3), ember.randn(3, 4))
    with pytest.raises(RuntimeError, match="hidden0 has inconsistent hidden_size: got 5, expected 4"):
        cell(ember.randn(2, 3), ember.randn(2, 5))
    with pytest.raises(RuntimeError, match="Input batch size 2 doesn't match hidden1 batch size 3"):
        nn.LSTMCell(3, 4)(ember.randn(2, 3), (ember.randn(2, 4), ember.randn(3, 4)))
    with pytest.raises(ValueError, match=r"LSTMCell: Expected hx\[1\] to be 1D or 2D, got 3D instead"):
        nn.LSTMCell(3, 4)(ember.randn(2, 3), (ember.randn(2, 4), ember.randn(1, 2, 4)))
    with pytest.raises(RuntimeError, match="Unknown nonlinearity: sig"):
        nn.RNNCell(3, 4, nonlinearity="sig")(ember.randn(2, 3))


# ------------------------------------------------------------------------------ structure, reprs, errors

def test_parameter_names_and_shapes():
    m = nn.LSTM(3, 4, 2, bidirectional=True, proj_size=2)
    names = [(n, tuple(p.shape)) for n, p in m.named_parameters()]
    expected = []
    for layer in range(2):
        for sfx in ("", "_reverse"):
            inp = 3 if layer == 0 else 4
            expected += [(f"weight_ih_l{layer}{sfx}", (16, inp)), (f"weight_hh_l{layer}{sfx}", (16, 2)),
                         (f"bias_ih_l{layer}{sfx}", (16,)), (f"bias_hh_l{layer}{sfx}", (16,)),
                         (f"weight_hr_l{layer}{sfx}", (2, 4))]
    assert names == expected
    assert [[n for n, _ in nn.GRU(2, 5).named_parameters()]] == [
        ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]]
    assert tuple(nn.GRU(2, 5).weight_ih_l0.shape) == (15, 2)
    assert tuple(nn.RNN(2, 5, 2).weight_ih_l1.shape) == (5, 5)
    assert len(m.all_weights) == 4 and m.all_weights[1][0] is m.weight_ih_l0_reverse


def test_reprs():
    assert repr(nn.LSTM(10, 20, num_layers=2, batch_first=True)) == "LSTM(10, 20, num_layers=2, batch_first=True)"
    assert repr(nn.RNN(3, 4, nonlinearity="relu")) == "RNN(3, 4)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(nn.RNN(3, 4, 2, "relu", False, True, 0.5, True)) == (
            "RNN(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)")
    assert repr(nn.LSTM(10, 20, proj_size=5)) == "LSTM(10, 20, proj_size=5)"
    assert repr(nn.GRU(3, 4)) == "GRU(3, 4)"


def test_constructor_errors():
    with pytest.raises(ValueError, match=r"dropout should be a number in range \[0, 1\]"):
        nn.RNN(3, 4, dropout=2)
    with pytest.raises(ValueError, match=r"Unknown nonlinearity 'x'\. Select from 'tanh' or 'relu'\."):
        nn.RNN(3, 4, nonlinearity="x")
    with pytest.raises(TypeError, match="bias should be of type bool, got: int"):
        nn.RNN(3, 4, bias=1)
    with pytest.raises(TypeError, match="hidden_size should be of type int, got: float"):
        nn.GRU(3, 4.0)
    with pytest.raises(ValueError, match="input_size must be greater than zero"):
        nn.GRU(0, 4)
    with pytest.raises(ValueError, match="num_layers must be greater than zero"):
        nn.LSTM(3, 4, num_layers=0)
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM, not RNN or GRU"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)


def test_forward_errors():
    m = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match=r"RNN input dtype \(ember.float64\) does not match weight dtype"):
        m(ember.randn(5, 2, 3, dtype=ember.float64))
    with pytest.raises(RuntimeError, match=r"input.size\(-1\) must be equal to input_size. Expected 3, got 7"):
        m(ember.randn(5, 2, 7))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D instead"):
        m(ember.randn(2, 3, 4, 5))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 2, 4\), got \[1, 3, 4\]"):
        m(ember.randn(5, 2, 3), (ember.randn(1, 3, 4), ember.randn(1, 2, 4)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 2, 4\), got \[1, 2, 5\]"):
        m(ember.randn(5, 2, 3), (ember.randn(1, 2, 4), ember.randn(1, 2, 5)))
    with pytest.raises(RuntimeError, match=r"For batched 3-D input, hx and cx should also be 3-D but got \(2-D, 3-D\)"):
        m(ember.randn(5, 2, 3), (ember.randn(2, 4), ember.randn(1, 2, 4)))
    g = nn.GRU(3, 4)
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\), got \[1, 3, 4\]"):
        g(ember.randn(5, 2, 3), ember.randn(1, 3, 4))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx should also be 3-D but got 2-D tensor"):
        g(ember.randn(5, 2, 3), ember.randn(2, 4))
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"):
        g(ember.randn(5, 3), ember.randn(1, 1, 4))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 1, 4\), got \[2, 1, 4\]"):
        g(ember.randn(5, 3), ember.randn(2, 4))
    with pytest.raises(RuntimeError, match="Expected sequence length to be larger than 0 in RNN"):
        g(ember.randn(0, 2, 3))
    with pytest.raises(ValueError, match="RNN: Expected input to be 2D or 3D, got 1D tensor instead"):
        nn.RNN(3, 4)(ember.randn(3))


def test_backward_reaches_every_parameter_and_to_double():
    m = nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    out, h = m(ember.randn(2, 5, 3))
    (out.sum() + h.sum()).backward()
    assert all(p.grad is not None and np.abs(arr(p.grad)).sum() > 0 for p in m.parameters())
    m.double()
    out, _ = m(ember.randn(2, 5, 3, dtype=ember.float64))
    assert out.dtype == ember.float64


@pytest.mark.parametrize("name", list(MODES))
def test_float32_values(name):
    rng = np.random.default_rng(10)
    m64, params = make(name, rng, num_layers=2, bidirectional=True)
    m = m64.float()
    x_np = rng.standard_normal((4, 2, 3))
    out, hidden = m(ember.from_numpy(x_np.astype(np.float32)))
    assert out.dtype == ember.float32
    ro, rh, _ = np_batch(MODES[name][2], x_np, *(np.zeros_like(a) if a is not None else None
                                                 for a in states(name, rng, m, 2)), params, 2, 2)
    np.testing.assert_allclose(arr(out), ro, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(arr(hidden[0] if isinstance(hidden, tuple) else hidden), rh, rtol=1e-4, atol=1e-5)
