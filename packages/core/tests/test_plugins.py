"""Backend discovery: entry points, lazy loading, failure isolation, duplicates, choosing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import ember
from ember import backends
from ember._plugins import registry

FAKE_BACKEND = '''
import numpy
import ember
from ember.backends import ArrayAPIBackend


class FakeDevBackend(ArrayAPIBackend):
    """A third party's backend: NumPy arrays on a made-up device type, no strided views."""

    name = "fakenp"
    device_type = "fakedev"
    xp = numpy


@ember.hookimpl
def ember_register_backends(register):
    register(FakeDevBackend)
'''


def _make_dist(root: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    """An installed-looking distribution: a dist-info folder plus modules, on ``root``."""
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "\n".join(f"{k} = {v}" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[ember]\n{lines}\n")
    for name, source in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source))


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A registry that rediscovers entry points, with ``tmp_path`` on sys.path for fake dists.

    Afterwards the registry gets its very objects from before back (not a fresh rediscovery), so
    tensors made before the test, by this or another package's tests in the same run, keep
    working with the backend instances that hold them.
    """
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("EMBER_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("EMBER_BACKEND_CPU", raising=False)
    saved = dict(vars(registry))
    registry.reset()  # binds new objects; the saved ones stay as they were
    yield tmp_path
    for mod in [m for m in sys.modules if m.startswith("ember_fake_")]:
        del sys.modules[mod]
    vars(registry).clear()
    vars(registry).update(saved)


def test_import_ember_loads_no_plugin() -> None:
    code = "import sys, ember; print('ember_cpu' in sys.modules, 'importlib.metadata' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == "False"
    code = "import sys, ember; ember.zeros(1); print('ember_cpu' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_cpu_backend_comes_from_its_entry_point(fresh_registry: Path) -> None:
    assert backends.available()["cpu"] == ["numpy"]
    bk = backends.get_backend("cpu")
    assert type(bk).__module__ == "ember_cpu._backend"
    assert bk.strided_views and ember.float32 in bk.dtypes


def test_third_party_backend_via_entry_point(fresh_registry: Path) -> None:
    _make_dist(fresh_registry, "ember-fakedev", {"fakenp": "ember_fake_dev"}, {"ember_fake_dev": FAKE_BACKEND})
    x = ember.tensor([1.0, 2.0], device="fakedev")
    assert x.device == ember.device("fakedev")
    assert str(x.device) == "fakedev"
    assert (x * 3).tolist() == [3.0, 6.0]
    assert repr(x) == "tensor([1., 2.], device='fakedev')"
    y = ember.ones(2)
    assert (x.to("cpu") + y).tolist() == [2.0, 3.0]
    assert (y.to("fakedev") + x).device.type == "fakedev"


def test_mixing_devices_names_both(fresh_registry: Path) -> None:
    _make_dist(fresh_registry, "ember-fakedev", {"fakenp": "ember_fake_dev"}, {"ember_fake_dev": FAKE_BACKEND})
    x = ember.ones(3, device="fakedev")
    y = ember.ones(3)
    for op in (lambda: x + y, lambda: y * x, lambda: ember.cat([y, x]), lambda: y @ x, lambda: ember.where(y > 0, x, y)):
        with pytest.raises(RuntimeError, match="fakedev") as info:
            op()
        assert "cpu" in str(info.value)
    before = y.tolist()
    with pytest.raises(RuntimeError, match="fakedev"):
        y.add_(x)
    assert y.tolist() == before


def test_non_strided_backend_gives_copying_views(fresh_registry: Path) -> None:
    _make_dist(fresh_registry, "ember-fakedev", {"fakenp": "ember_fake_dev"}, {"ember_fake_dev": FAKE_BACKEND})
    x = ember.arange(6, device="fakedev")
    v = x.view(2, 3)
    assert v.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert v.stride() == (3, 1)
    with pytest.raises(RuntimeError, match="no strided views"):
        v[0, 0] = 7
    x[0] = 7  # the base itself is writable
    assert x.tolist()[0] == 7


def test_broken_plugin_is_isolated_and_named(fresh_registry: Path) -> None:
    _make_dist(
        fresh_registry, "ember-broken", {"brokendev": "ember_fake_broken"},
        {"ember_fake_broken": "raise ImportError('libbroken.so: cannot open shared object file')"},
    )
    assert ember.zeros(2).tolist() == [0.0, 0.0]  # other backends keep working
    with pytest.raises(ember.BackendNotFoundError) as info:
        ember.zeros(2, device="brokendev")
    msg = str(info.value)
    assert "'brokendev'" in msg and "ember-broken" in msg and "ember_fake_broken" in msg
    assert "libbroken.so" in msg and "cpu: numpy" in msg
    assert isinstance(info.value, LookupError)
    with pytest.raises(ember.PluginLoadError, match="ember-broken") as chained:
        backends.use("brokendev", "brokendev")
    assert isinstance(chained.value.__cause__, ImportError)


def test_plugin_whose_hook_raises_is_isolated(fresh_registry: Path) -> None:
    bad = '''
    import ember

    @ember.hookimpl
    def ember_register_backends(register):
        raise RuntimeError("no driver found")
    '''
    _make_dist(fresh_registry, "ember-raiser", {"raiser": "ember_fake_raiser"}, {"ember_fake_raiser": bad})
    assert ember.ones(1).item() == 1.0
    [failure] = [f for f in backends.failures() if f.plugin == "raiser"]
    assert failure.distribution == "ember-raiser" and failure.entry_point == "ember_fake_raiser"
    assert "no driver found" in failure.describe()


def test_misspelled_hook_fails_loudly(fresh_registry: Path) -> None:
    typo = '''
    import ember

    @ember.hookimpl
    def ember_register_backend(register):
        pass
    '''
    _make_dist(fresh_registry, "ember-typo", {"typo": "ember_fake_typo"}, {"ember_fake_typo": typo})
    [failure] = [f for f in backends.failures() if f.plugin == "typo"]
    assert "did you mean 'ember_register_backends'" in str(failure.error)


def test_duplicate_backend_name_is_an_error(fresh_registry: Path) -> None:
    _make_dist(fresh_registry, "ember-fakedev", {"fakenp": "ember_fake_dev"}, {"ember_fake_dev": FAKE_BACKEND})
    _make_dist(fresh_registry / "second", "ember-fakedev2", {"fakenp2": "ember_fake_dev2"}, {"ember_fake_dev2": FAKE_BACKEND})
    sys.path.insert(0, str(fresh_registry / "second"))
    try:
        registry.reset()
        backends.available()
        dupes = [f for f in backends.failures() if isinstance(f.error, ember.DuplicateBackendError)]
        assert len(dupes) == 1
        assert "'fakenp'" in str(dupes[0].error) and "registered by both" in str(dupes[0].error)
    finally:
        sys.path.remove(str(fresh_registry / "second"))


def test_missing_kernels_are_listed(fresh_registry: Path) -> None:
    class Incomplete:
        name = "half"
        device_type = "halfdev"

        def add(self, a, b):
            return a + b

    class Plugin:
        @ember.hookimpl
        def ember_register_backends(self, register):
            register(Incomplete)

    backends.register_plugin(Plugin(), "incomplete")
    [failure] = [f for f in backends.failures() if f.plugin == "incomplete"]
    assert "lacks required kernels" in str(failure.error) and "matmul" in str(failure.error)


def test_load_plugins_env_var_limits_loading(fresh_registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _make_dist(fresh_registry, "ember-fakedev", {"fakenp": "ember_fake_dev"}, {"ember_fake_dev": FAKE_BACKEND})
    monkeypatch.setenv("EMBER_LOAD_PLUGINS", "numpy")
    assert backends.available() == {"cpu": ["numpy"]}
    registry.reset()
    monkeypatch.setenv("EMBER_LOAD_PLUGINS", "")
    with pytest.raises(ember.BackendNotFoundError, match="EMBER_LOAD_PLUGINS"):
        ember.zeros(1)


def _second_cpu_backend() -> object:
    from ember_cpu import NumpyBackend

    class OtherCpu(NumpyBackend):
        name = "othernp"

    class Plugin:
        @ember.hookimpl
        def ember_register_backends(self, register):
            register(OtherCpu)

    return Plugin()


def test_choose_backend_by_function(fresh_registry: Path) -> None:
    backends.register_plugin(_second_cpu_backend(), "othercpu")
    assert backends.available()["cpu"] == ["numpy", "othernp"]
    assert backends.get_backend("cpu").name == "numpy"  # same priority: alphabetical
    a = ember.ones(2)
    backends.use("cpu", "othernp")
    b = ember.ones(2)
    assert b._backend.name == "othernp" and a._backend.name == "numpy"
    with pytest.raises(RuntimeError, match=r"one backend"):
        a + b
    with pytest.raises(ember.BackendNotFoundError, match="numpy, othernp"):
        backends.use("cpu", "nosuch")


def test_choose_backend_by_env_var(fresh_registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backends.register_plugin(_second_cpu_backend(), "othercpu")
    monkeypatch.setenv("EMBER_BACKEND_CPU", "othernp")
    registry._active.clear()
    assert ember.zeros(1)._backend.name == "othernp"


def test_unknown_device_type_lists_what_exists(fresh_registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBER_LOAD_PLUGINS", "numpy")  # as if ember-cuda were not installed, even where it is
    with pytest.raises(ember.BackendNotFoundError, match=r"registered backends: cpu: numpy"):
        ember.zeros(1, device="tpu")
    with pytest.raises(LookupError, match="pip install ember-cuda"):
        ember.zeros(1, device="cuda")
    assert ember.cuda.is_available() is False and ember.cuda.device_count() == 0


def test_backend_protocol_is_satisfied_by_numpy_backend() -> None:
    bk = backends.get_backend("cpu")
    assert isinstance(bk, backends.Backend)
    missing = [k for k in backends.REQUIRED_KERNELS if not callable(getattr(bk, k, None))]
    assert missing == []


def test_array_api_base_binds_kernels_at_class_creation() -> None:
    class Mini(backends.ArrayAPIBackend):
        name = device_type = "mini"
        xp = np

    bk = Mini()
    assert Mini.exp is not backends.ArrayAPIBackend.__dict__.get("exp")
    np.testing.assert_allclose(bk.exp(np.zeros(2)), [1.0, 1.0])
    assert bk.strides(np.zeros((2, 3))) == (3, 1)
    assert ember.bfloat16 not in bk.dtypes and ember.float32 in bk.dtypes
    gen = bk.new_generator(0, None)
    assert bk.uniform(gen, (3,), ember.float32, None).dtype == np.float32


def test_hookspecs_are_documented() -> None:
    from ember import hookspecs

    hooks = [n for n in dir(hookspecs) if n.startswith("ember_")]
    assert hooks == ["ember_register_backends"]
    for name in hooks:
        doc = getattr(hookspecs, name).__doc__
        assert doc and "Args:" in doc and "Example" in doc
