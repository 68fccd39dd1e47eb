"""The stories in /work/shared/USER-STORIES.md, as far as they apply to core alone.

The student's first session is run verbatim; the autograd half of it needs
ember-autograd, which core alone must answer with an install hint.
"""

from __future__ import annotations

import importlib.util

import pytest

import ember

pytestmark = pytest.mark.filterwarnings("error")

autograd_missing = pytest.mark.skipif(
    importlib.util.find_spec("ember.autograd") is not None, reason="ember-autograd is installed"
)


def test_student_prints_a_tensor_its_ndim_and_dtype(capsys: pytest.CaptureFixture[str]) -> None:
    s = ember.tensor([[8, 2, 3], [1, 2, 3]])
    print(s, s.ndim, s.dtype)
    assert capsys.readouterr().out == "tensor([[8, 2, 3],\n        [1, 2, 3]]) 2 ember.int64\n"


def test_student_reshape_shares_storage() -> None:
    a = ember.ones(3, 2); c = a.reshape(2, 3)  # noqa: E702 (the story's line, verbatim)
    assert a.data_ptr() == c.data_ptr()  # same storage
    c[0, 0] = 5.0
    assert a[0, 0].item() == 5.0
    assert c.shape == ember.Size([2, 3])


@autograd_missing
def test_student_requires_grad_without_autograd_says_what_to_install() -> None:
    with pytest.raises(RuntimeError, match="pip install ember-autograd") as info:
        ember.tensor([2.0, 3.0], requires_grad=True)
    assert str(info.value) == "requires_grad=True needs the autograd package: pip install ember-autograd"
    assert isinstance(info.value, ember.MissingPackageError)
    assert isinstance(info.value, ember.EmberError)


@autograd_missing
def test_every_way_into_autograd_says_what_to_install() -> None:
    for action in (
        lambda: ember.ones(2, requires_grad=True),
        lambda: ember.ones(2).requires_grad_(),
        lambda: setattr(ember.ones(2), "requires_grad", True),
        lambda: ember.tensor(3.0).backward(),
        lambda: setattr(ember.ones(2), "grad", ember.ones(2)),
    ):
        with pytest.raises(ember.MissingPackageError, match="pip install ember-autograd"):
            action()


def test_tensors_work_without_autograd() -> None:
    t = ember.ones(2)
    assert t.requires_grad is False
    assert t.is_leaf
    assert t.grad is None
    assert t.grad_fn is None
    t.grad = None  # clearing a gradient needs no autograd
    assert t.requires_grad_(False) is t
    assert t.detach().data_ptr() == t.data_ptr()


def test_gpu_user_without_a_gpu_backend() -> None:
    if "cuda" in ember.backends.available():
        pytest.skip("an ember-cuda backend is installed here")
    assert ember.cuda.is_available() is False
    with pytest.raises(ember.BackendNotFoundError, match=r"pip install ember-cuda"):
        ember.ones(3).to("cuda")
