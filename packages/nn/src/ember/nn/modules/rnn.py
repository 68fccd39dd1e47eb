"""Recurrent layers as torch.nn: ``RNN``, ``LSTM``, ``GRU`` and their ``*Cell`` forms.

Parameter names, shapes, gate order (LSTM ``i, f, g, o``; GRU ``r, z, n``), initialisation
``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``, arguments, outputs and error messages follow
torch. Each layer and direction projects the inputs of every time step in one matrix product;
only the recurrence itself loops over time. Inputs may be padded tensors (time- or batch-major,
batched or not) or :class:`~ember.nn.utils.rnn.PackedSequence`.

>>> import ember, ember.nn as nn
>>> lstm = nn.LSTM(10, 20, num_layers=2, batch_first=True)
>>> out, (h, c) = lstm(ember.randn(3, 5, 10))
>>> tuple(out.shape), tuple(h.shape)
((3, 5, 20), (2, 3, 20))
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any, cast

import ember
from ember import Tensor

# ember.dropout itself, imported from where mypy can see its type (not ember's star exports)
from ember._nnops.activation import dropout as dropout_
from ember.nn.modules.module import Module
from ember.nn.modules.parameter import Parameter
from ember.nn.utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

State = tuple[Tensor, ...]  # (h,) or (h, c)
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ----------------------------------------------------------------------------------------------
# The math: one recurrence step per mode. ``gi`` holds this step's input projection; for the
# RNN and LSTM it already includes both biases (b_ih + b_hh are folded into the one big input
# matmul), for the GRU only b_ih, because torch's n gate keeps b_hn inside r * (W_hn h + b_hn).
# ``w_hh_t`` is the transposed hidden weight, made once per layer rather than once per step.
# ----------------------------------------------------------------------------------------------

def _tanh_step(gi: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None, w_hr_t: Tensor | None) -> State:
    return (gi.addmm(state[0], w_hh_t).tanh(),)


def _relu_step(gi: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None, w_hr_t: Tensor | None) -> State:
    return (gi.addmm(state[0], w_hh_t).relu(),)


def _lstm_step(gi: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None, w_hr_t: Tensor | None) -> State:
    h, c = state
    i, f, g, o = gi.addmm(h, w_hh_t).chunk(4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr_t is not None:  # proj_size > 0: h is projected down after the output gate
        h = h.matmul(w_hr_t)
    return (h, c)


def _gru_step(gi: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None, w_hr_t: Tensor | None) -> State:
    h = state[0]
    gh = h.matmul(w_hh_t) if b_hh is None else b_hh.addmm(h, w_hh_t)
    i_r, i_z, i_n = gi.chunk(3, 1)
    h_r, h_z, h_n = gh.chunk(3, 1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return (n + z * (h - n),)  # == (1 - z) * n + z * h, one op fewer


Step = Callable[[Tensor, State, Tensor, "Tensor | None", "Tensor | None"], State]
_STEPS: dict[str, Step] = {"RNN_TANH": _tanh_step, "RNN_RELU": _relu_step, "LSTM": _lstm_step, "GRU": _gru_step}


def _project(mode: str, x: Tensor, w_ih: Tensor, b_ih: Tensor | None, b_hh: Tensor | None) -> Tensor:
    """Input projections of all rows of ``x`` (every time step at once), with the biases that fold."""
    if b_ih is None:
        return x.matmul(w_ih.t())
    bias = b_ih if mode == "GRU" or b_hh is None else b_ih + b_hh
    return bias.addmm(x, w_ih.t())


def _cell(mode: str, x: Tensor, state: State, w_ih: Tensor, w_hh: Tensor,
          b_ih: Tensor | None, b_hh: Tensor | None) -> State:
    """One step of an ``*Cell`` on a batch ``x`` of shape (N, input_size)."""
    return _STEPS[mode](_project(mode, x, w_ih, b_ih, b_hh), state, w_hh.t(), b_hh, None)


def _run_direction(step: Step, gi: Tensor, batch_sizes: Sequence[int], state: State, w_hh_t: Tensor,
                   b_hh: Tensor | None, w_hr_t: Tensor | None, reverse: bool) -> tuple[Tensor, State]:
    """Run the recurrence over packed projections ``gi`` (sum(batch_sizes), G), time-major.

    ``batch_sizes`` is non-increasing (padded input: all equal). In the forward direction a
    sequence that has ended leaves the batch, and its state is put aside as its final state; in
    reverse, sequences join the batch (from their initial state) as their last step comes up.
    Returns the packed outputs (sum(batch_sizes), H_out) and the final state, full batch.
    """
    steps = gi.split(list(batch_sizes), 0)
    outs: list[Tensor] = [gi] * len(steps)
    if not reverse:
        ended: list[State] = []
        for t, g in enumerate(steps):
            bs = batch_sizes[t]
            if bs < state[0].shape[0]:
                ended.append(tuple(s[bs:] for s in state))
                state = tuple(s[:bs] for s in state)
            state = step(g, state, w_hh_t, b_hh, w_hr_t)
            outs[t] = state[0]
        if ended:  # later leavers hold lower batch indices
            state = tuple(ember.cat([s, *(e[k] for e in reversed(ended))]) for k, s in enumerate(state))
    else:
        initial = state
        cur = batch_sizes[-1]
        if cur < state[0].shape[0]:
            state = tuple(s[:cur] for s in state)
        for t in range(len(steps) - 1, -1, -1):
            bs = batch_sizes[t]
            if bs > cur:
                state = tuple(ember.cat([s, s0[cur:bs]]) for s, s0 in zip(state, initial, strict=True))
                cur = bs
            state = step(steps[t], state, w_hh_t, b_hh, w_hr_t)
            outs[t] = state[0]
    return ember.cat(outs), state


def _rnn(mode: str, x: Tensor, batch_sizes: Sequence[int], hx: State, weights: Sequence[Sequence[Tensor | None]],
         num_layers: int, bidirectional: bool, dropout: float, training: bool) -> tuple[Tensor, State]:
    """The stacked (bi)directional recurrence on packed rows ``x`` (sum(batch_sizes), input_size).

    ``hx`` holds the initial states (num_layers * num_directions, B, H) and ``weights`` per layer
    and direction ``(w_ih, w_hh, b_ih, b_hh, w_hr)``. Returns the last layer's packed outputs and
    the final states stacked like ``hx``.
    """
    step = _STEPS[mode]
    dirs = 2 if bidirectional else 1
    finals: list[State] = []
    for layer in range(num_layers):
        if layer > 0 and dropout > 0 and training:
            x = dropout_(x, dropout, training=True)
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w_ih, w_hh, b_ih, b_hh, w_hr = weights[k]
            gi = _project(mode, x, cast(Tensor, w_ih), b_ih, b_hh)
            w_hr_t = None if w_hr is None else w_hr.t()
            out, final = _run_direction(step, gi, batch_sizes, tuple(s[k] for s in hx), cast(Tensor, w_hh).t(),
                                        b_hh, w_hr_t, reverse=d == 1)
            outs.append(out)
            finals.append(final)
        x = outs[0] if dirs == 1 else ember.cat(outs, 1)
    return x, tuple(ember.stack([f[i] for f in finals]) for i in range(len(hx)))


def _init_uniform(module: Module, hidden_size: int) -> None:
    stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for w in module.parameters():
        w.detach().uniform_(-stdv, stdv)  # fills w through a view that autograd does not record


# ----------------------------------------------------------------------------------------------
# Multi-layer modules
# ----------------------------------------------------------------------------------------------

class RNNBase(Module):
    """Base of :class:`RNN`, :class:`LSTM` and :class:`GRU` (``mode`` one of ``RNN_TANH``,
    ``RNN_RELU``, ``LSTM``, ``GRU``): parameters, checks, repr and the shared forward."""

    mode: str
    input_size: int
    hidden_size: int
    num_layers: int
    bias: bool
    batch_first: bool
    dropout: float
    bidirectional: bool
    proj_size: int

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if (not isinstance(dropout, numbers.Real) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability "
                             "of an element being zeroed")
        self.dropout = float(dropout)
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        for name, value in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        dirs = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for d in range(dirs):
                layer_input = input_size if layer == 0 else real_hidden * dirs
                shapes: list[tuple[str, tuple[int, ...]]] = [
                    ("weight_ih_l{}{}", (gate_size, layer_input)), ("weight_hh_l{}{}", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                names = []
                for pattern, shape in shapes:
                    name = pattern.format(layer, "_reverse" if d == 1 else "")
                    setattr(self, name, Parameter(ember.empty(shape, dtype=dtype, device=device)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        _init_uniform(self, self.hidden_size)

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters per layer and direction, in torch's order."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """No-op kept for torch compatibility (cuDNN weight packing)."""

    def _layer_weights(self) -> list[tuple[Tensor | None, ...]]:
        """Per layer and direction ``(w_ih, w_hh, b_ih, b_hh, w_hr)``, None where absent."""
        kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
        return [tuple(getattr(self, f"{k}_{names[0][len('weight_ih_'):]}", None) for k in kinds)
                for names in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- checks (torch's messages) -------------------------------------------------------------

    def _name(self) -> str:
        return "RNN" if self.mode.startswith("RNN") else self.mode

    def check_input(self, input: Tensor, batch_sizes: Tensor | None) -> None:
        """Raise torch's errors for a wrong dtype, rank or feature size of ``input``."""
        w = getattr(self, self._flat_weights_names[0])
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). "
                             f"Convert input: input.to({w.dtype}), or convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def get_expected_hidden_size(self, input: Tensor, batch_sizes: Tensor | None) -> tuple[int, int, int]:
        """(num_layers * num_directions, batch, proj_size or hidden_size)."""
        if batch_sizes is not None:
            batch = int(batch_sizes[0].item()) if batch_sizes.numel() else 0
        else:
            batch = input.size(0) if self.batch_first else input.size(1)
        dirs = 2 if self.bidirectional else 1
        return (self.num_layers * dirs, batch, self.proj_size if self.proj_size > 0 else self.hidden_size)

    def check_hidden_size(self, hx: Tensor, expected: tuple[int, int, int],
                          msg: str = "Expected hidden size {}, got {}") -> None:
        """Raise torch's RuntimeError when ``hx`` does not have the ``expected`` shape."""
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def check_forward_args(self, input: Tensor, hidden: Any, batch_sizes: Tensor | None) -> None:
        """Check ``input`` and the initial state ``hidden`` against this module's sizes."""
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    # -- forward -------------------------------------------------------------------------------

    def _zeros(self, input: Tensor, batch: int, size: int) -> Tensor:
        dirs = 2 if self.bidirectional else 1
        return ember.zeros(self.num_layers * dirs, batch, size, dtype=input.dtype, device=input.device)

    def _forward(self, input: Any, hx: Any) -> tuple[Any, Any]:
        """Shared forward: unpack/reshape the input, check and default the state, run, repack."""
        lstm = self.mode == "LSTM"
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        packed = isinstance(input, PackedSequence)
        is_batched = True
        if packed:
            data, bs_tensor, sorted_indices, unsorted_indices = input
            batch_sizes = [int(b) for b in bs_tensor.tolist()]
            batch = batch_sizes[0] if batch_sizes else 0
            if hx is not None and sorted_indices is not None:
                hx = (tuple(h.index_select(1, sorted_indices) for h in hx) if lstm
                      else hx.index_select(1, sorted_indices))
        else:
            bs_tensor = None
            if input.dim() not in (2, 3):
                raise ValueError(f"{self._name()}: Expected input to be 2D or 3D, got {input.dim()}D "
                                 + ("tensor instead" if self.mode.startswith("RNN") else "instead"))
            is_batched = input.dim() == 3
            if hx is not None:
                dims = [h.dim() for h in hx] if lstm else [hx.dim()]
                want = 3 if is_batched else 2
                if any(n != want for n in dims):
                    what = "hx and cx" if lstm else "hx"
                    got = f"({dims[0]}-D, {dims[1]}-D) tensors" if lstm else f"{dims[0]}-D tensor"
                    kind = "batched 3-D" if is_batched else "unbatched 2-D"
                    raise RuntimeError(f"For {kind} input, {what} should also be {want}-D but got {got}")
            if not is_batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
                if hx is not None:
                    hx = tuple(h.unsqueeze(1) for h in hx) if lstm else hx.unsqueeze(1)
            data = input
        if hx is None:
            if not packed and input.dim() == 3:
                batch = input.size(0) if self.batch_first else input.size(1)
            hx = ((self._zeros(data, batch, real_hidden), self._zeros(data, batch, self.hidden_size)) if lstm
                  else self._zeros(data, batch, self.hidden_size))
        self.check_forward_args(data, hx, bs_tensor)
        if not packed:
            x = data.transpose(0, 1) if self.batch_first else data
            steps, batch = x.shape[0], x.shape[1]
            if steps == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
            batch_sizes = [batch] * steps
            data = x.reshape(steps * batch, self.input_size)
        state = tuple(hx) if lstm else (hx,)
        out, finals = _rnn(self.mode, data, batch_sizes, state, self._layer_weights(), self.num_layers,
                           self.bidirectional, self.dropout, self.training)
        if packed:
            if unsorted_indices is not None:
                finals = tuple(f.index_select(1, unsorted_indices) for f in finals)
            output: Any = PackedSequence(out, bs_tensor, sorted_indices, unsorted_indices)
        else:
            output = out.view(steps, batch, out.shape[-1])
            if self.batch_first:
                output = output.transpose(0, 1)
            if not is_batched:
                output = output.squeeze(0 if self.batch_first else 1)
                finals = tuple(f.squeeze(1) for f in finals)
        return output, (finals if lstm else finals[0])


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ReLU), stacked.

    Args: input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None.
    ``forward(input, hx=None)`` returns ``(output, h_n)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple[Any, Tensor]:
        """Run over ``input`` (L, N, H_in), (N, L, H_in) with batch_first, (L, H_in) or packed."""
        return self._forward(input, hx)


class LSTM(RNNBase):
    """Long short-term memory, gates ``i, f, g, o`` as torch; ``proj_size > 0`` projects ``h``.

    Args: input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0, device=None, dtype=None.
    ``forward(input, (h_0, c_0)=None)`` returns ``(output, (h_n, c_n))``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes: Tensor | None) -> tuple[int, int, int]:
        """(num_layers * num_directions, batch, hidden_size)."""
        layers, batch, _ = self.get_expected_hidden_size(input, batch_sizes)
        return (layers, batch, self.hidden_size)

    def check_forward_args(self, input: Tensor, hidden: Any, batch_sizes: Tensor | None) -> None:
        """Check ``input`` and ``(h_0, c_0)`` against this module's sizes."""
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def forward(self, input: Any, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Any, tuple[Tensor, Tensor]]:
        """Run over ``input``; ``hx`` is ``(h_0, c_0)`` or None for zeros."""
        return self._forward(input, hx)


class GRU(RNNBase):
    """Gated recurrent unit, gates ``r, z, n`` with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.

    Args: input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, device=None, dtype=None. ``forward(input, hx=None)`` returns ``(output, h_n)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple[Any, Tensor]:
        """Run over ``input``; ``hx`` is ``h_0`` or None for zeros."""
        return self._forward(input, hx)


# ----------------------------------------------------------------------------------------------
# Cells
# ----------------------------------------------------------------------------------------------

class RNNCellBase(Module):
    """Base of the cells: ``weight_ih`` (chunks*hidden, input), ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        g = num_chunks * hidden_size
        self.weight_ih = Parameter(ember.empty((g, input_size), dtype=dtype, device=device))
        self.weight_hh = Parameter(ember.empty((g, hidden_size), dtype=dtype, device=device))
        if bias:
            self.bias_ih = Parameter(ember.empty((g,), dtype=dtype, device=device))
            self.bias_hh = Parameter(ember.empty((g,), dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        _init_uniform(self, self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _check(self, name: str, input: Tensor, hx: Sequence[Tensor]) -> None:
        """torch's errors of the cell kernels (batch and feature sizes)."""
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        for i, h in enumerate(hx):
            if h.size(0) != input.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} batch size {h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, "
                                   f"expected {self.hidden_size}")

    def _prepare(self, name: str, input: Tensor, hx: Any, what: Sequence[str]) -> tuple[Tensor, list[Tensor], bool]:
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        states = None if hx is None else (list(hx) if len(what) > 1 else [hx])
        if states is not None:
            for label, h in zip(what, states, strict=True):
                if h.dim() not in (1, 2):
                    raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {h.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if states is None:
            zeros = ember.zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            states = [zeros] * len(what)
        elif not is_batched:
            states = [h.unsqueeze(0) for h in states]
        self._check(name, input, states)
        return input, states, is_batched

    def _run(self, mode: str, input: Tensor, states: list[Tensor]) -> State:
        return _cell(mode, input, tuple(states), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class RNNCell(RNNCellBase):
    """An Elman RNN cell: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or ReLU).

    >>> cell = RNNCell(10, 20)
    >>> tuple(cell(ember.randn(3, 10)).shape)
    (3, 20)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """The next hidden state, (N, hidden_size) or (hidden_size,) for unbatched input."""
        input, states, is_batched = self._prepare("RNNCell", input, hx, ("hidden",))
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = self._run(mode, input, states)[0]
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """A long short-term memory cell; ``forward(input, (h, c))`` returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        """The next ``(h, c)``, each (N, hidden_size) or (hidden_size,) for unbatched input."""
        input, states, is_batched = self._prepare("LSTMCell", input, hx, ("hx[0]", "hx[1]"))
        h, c = self._run("LSTM", input, states)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """A gated recurrent unit cell; ``forward(input, hx)`` returns ``h'``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """The next hidden state, (N, hidden_size) or (hidden_size,) for unbatched input."""
        input, states, is_batched = self._prepare("GRUCell", input, hx, ("hidden",))
        h = self._run("GRU", input, states)[0]
        return h if is_batched else h.squeeze(0)
