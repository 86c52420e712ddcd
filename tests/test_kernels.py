"""The compiled GD kernel (numba) against the vectorized numpy reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import scaled

from tempx.numerics.data import gaussian_sequences
from tempx.numerics.drivers.descent import gd
from tempx.numerics.losses import empirical_moment
from tempx.numerics.students import dense_kernels as kernels
from tempx.numerics.students.init import init_gaussian, init_symmetric
from tempx.numerics.teachers import memoryless
from tempx.theory.errors import InvalidInput

needs_numba = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba is not installed")

# Both engines do the same arithmetic in a different order (fused loops, FMA, reassociation):
# after a few hundred steps the trajectories differ by round-off amplified by the dynamics,
# measured ≲ 1e-13 relative here; the contract is 1e-12.
REL = 1e-12


def assert_same(r1, r2) -> None:  # type: ignore[no-untyped-def]
    assert r1.status == r2.status
    assert np.array_equal(r1.steps, r2.steps) and np.array_equal(r1.diverged_at, r2.diverged_at)
    for m in "ABC":
        a, b = getattr(r1.params, m), getattr(r2.params, m)
        assert np.abs(a - b).max() <= REL * max(1.0, np.abs(a).max())
    assert_same_loss(r1.train_loss, r2.train_loss)


def assert_same_loss(L1: np.ndarray, L2: np.ndarray) -> None:
    """A loss ‖r‖² near a minimum is known only to absolute accuracy: r = w − w* is computed
    with an absolute error ~ eps·|w| ≈ 1e-16, so compare √L with an absolute 1e-12 (and
    relatively where the loss is large)."""
    s1, s2 = np.sqrt(L1), np.sqrt(L2)
    assert np.all(np.abs(s1 - s2) <= 1e-12 + 1e-9 * np.maximum(s1, s2))


@needs_numba
@settings(max_examples=scaled(15))
@given(d=st.integers(1, 12), k=st.integers(1, 8), sigma=st.sampled_from([0.05, 0.5, 1.0, 3.0]),
       seed=st.integers(0, 2**31), weights=st.sampled_from(["last", "all"]), tol=st.sampled_from([0.0, 1e-6]))
@example(d=3, k=1, sigma=3.0, seed=0, weights="last", tol=0.0)  # losses hit exactly 0.0 at engine-dependent steps
def test_compiled_and_numpy_engines_agree(d: int, k: int, sigma: float, seed: int, weights: str, tol: float) -> None:
    p = init_gaussian(6, d, sigma, seed)  # one group of four in SIMD lanes and two models alone
    kw = {"tol": tol, "weights": weights, "qs": [2 * k], "record_every": 50}
    r1 = gd(p, memoryless(k), k, 0.02, 300, backend="numpy", **kw)
    r2 = gd(p, memoryless(k), k, 0.02, 300, backend="numba", **kw)
    assert_same(r1, r2)
    assert np.array_equal(r1.history["step"], r2.history["step"])
    assert_same_loss(r1.history["train_loss"], r2.history["train_loss"])
    assert np.allclose(r1.history["Q_norm"], r2.history["Q_norm"], rtol=1e-9, atol=1e-12)


@needs_numba
def test_engines_agree_on_finite_data_and_symmetric_init() -> None:
    moment = empirical_moment(gaussian_sequences(6, 4, seed=1))
    p = init_symmetric(5, 5, 0.5, seed=2, frobenius_cap=0.9)
    assert_same(gd(p, memoryless(4), 4, 0.05, 500, moment=moment, backend="numpy"),
                gd(p, memoryless(4), 4, 0.05, 500, moment=moment, backend="numba"))


@needs_numba
def test_engines_agree_when_models_diverge_and_converge_in_one_batch() -> None:
    from tempx.numerics.students.dense import Params

    p = Params.stack([init_gaussian(1, 20, s, i) for i, s in enumerate([0.1, 3.0, 0.5, 1.5])])
    r1 = gd(p, memoryless(5), 5, 0.02, 2000, tol=1e-6, backend="numpy")
    r2 = gd(p, memoryless(5), 5, 0.02, 2000, tol=1e-6, backend="numba")
    assert "diverged" in r1.status
    assert_same(r1, r2)


ALL = {"converged", "diverged", "max_steps"}


@needs_numba
@pytest.mark.parametrize(("d", "k", "moment", "statuses"), [
    (20, 5, False, {"converged", "diverged"}), (7, 1, False, {"converged"}), (6, 2, True, {"converged", "diverged"}),
    (13, 6, False, ALL), (5, 3, True, ALL)])
def test_a_model_is_computed_bit_for_bit_the_same_alone_and_in_any_group(d: int, k: int, moment: bool,
                                                                         statuses: set[str]) -> None:
    """The per-model kernel and the four-lane kernel do the same IEEE operations in the same order:
    each of 9 models (two lane groups and one alone) ends bit for bit where it ends alone, with the same
    status and steps.  The models diverge, converge and run out of steps at different times; where some
    run out of steps, they run on past the first compiled block of descent.CHUNK steps after others have
    stopped in it, so the groups are re-formed from the models still running; d = 7, 13, 5
    need padding, k = 1 and 2 have no or one term in G_A, and Σ̂ replaces diag ω in two cases."""
    from tempx.numerics.drivers.descent import CHUNK
    from tempx.numerics.students.dense import Params

    sigmas = [0.1, 3.0, 0.5, 1.5, 0.05, 0.7, 6.0, 0.3, 1.0]
    p = Params.stack([init_gaussian(1, d, s, i) for i, s in enumerate(sigmas)])
    kw = {"tol": 1e-6, "moment": empirical_moment(gaussian_sequences(6, k, seed=1)) if moment else None}
    steps = CHUNK + 300
    together = gd(p, memoryless(k), k, 0.02, steps, backend="numba", **kw)
    assert set(together.status) == statuses
    for i in range(len(sigmas)):
        alone = gd(p.select(i), memoryless(k), k, 0.02, steps, backend="numba", **kw)
        assert (alone.status[0], alone.steps[0]) == (together.status[i], together.steps[i])
        for m in "ABC":
            assert np.array_equal(getattr(alone.params, m)[0], getattr(together.params, m)[i])


def test_unknown_backend() -> None:
    with pytest.raises(InvalidInput, match="backend"):
        gd(init_gaussian(1, 2, 0.5, 0), memoryless(2), 2, 0.1, 1, backend="cuda")


def test_package_works_without_numba() -> None:
    """With numba unavailable, the kernel module still imports and gd falls back to numpy."""
    import subprocess
    import sys

    code = ("from tempx import numerics; from tempx.numerics.students import dense_kernels as k; assert not k.AVAILABLE\n"
            "r = numerics.gd(numerics.init_gaussian(2, 4, 0.5, 0), numerics.memoryless(3), 3, 0.05, 50)\n"
            "print(r.status)")
    env = {**__import__("os").environ, "TEMPX_DISABLE_NUMBA": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert out.returncode == 0, out.stderr
    assert "max_steps" in out.stdout


@pytest.mark.slow  # recompiles both kernels (about 15 s); run by .ci/run as `pytest -m slow`
def test_kernels_with_numba_bounds_checking() -> None:
    """Both compiled engines, recompiled with NUMBA_BOUNDSCHECK=1 in a fresh cache: an out-of-bounds
    read or write raises instead of returning garbage, and the results still equal the numpy engine."""
    import os
    import subprocess
    import sys
    import tempfile

    if not kernels.AVAILABLE:
        pytest.skip("numba not installed")
    code = (
        "import numpy as np\nfrom tempx import numerics\n"
        "from tempx.numerics.students.init import init_diagonal\n"
        "from tempx.numerics.drivers.descent import gd\n"
        "p = numerics.init_gaussian(3, 4, 0.7, 1); t = numerics.memoryless(3)\n"
        "a = numerics.gd(p, t, 3, 0.05, 40, backend='numba'); b = numerics.gd(p, t, 3, 0.05, 40, backend='numpy')\n"
        "assert a.status == b.status and np.allclose(a.params.A, b.params.A, rtol=1e-12, atol=0)\n"
        "for cm in (False, True):\n"
        "    q = init_diagonal(3, 4, 0.7, 1, complex_modes=cm)\n"
        "    x = gd(q, t, 3, 0.05, 40, backend='numba'); y = gd(q, t, 3, 0.05, 40, backend='numpy')\n"
        "    assert x.status == y.status and np.allclose(x.params.lam, y.params.lam, rtol=1e-12, atol=0)\n"
        "print('ok')\n"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": cache}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_the_requested_engine_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def compiled_called(*args: object) -> None:
        raise RuntimeError("compiled engine called")

    monkeypatch.setattr(kernels, "gd_block", compiled_called)
    p = init_gaussian(2, 3, 0.3, 1)
    assert gd(p, memoryless(3), 3, 0.05, 5, backend="numpy").status == ("max_steps", "max_steps")
    if kernels.AVAILABLE:
        for backend in ("numba", "auto"):
            with pytest.raises(RuntimeError, match="compiled engine called"):
                gd(p, memoryless(3), 3, 0.05, 5, backend=backend)


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_divergence_bound_is_strict_and_the_last_step_is_not_taken(backend: str) -> None:
    from tempx.numerics.students.dense import Params

    at_bound = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), 1.0 + 1e5))  # L_1 = 1e10
    assert gd(at_bound, memoryless(1), 1, 0.01, 0, divergence_bound=1e10, backend=backend).status == ("max_steps",)
    assert gd(at_bound, memoryless(1), 1, 0.01, 0, divergence_bound=1e10 - 1e-3, backend=backend).status == ("diverged",)
    p = init_gaussian(2, 3, 0.5, 2)
    assert gd(p, memoryless(3), 3, 1e308, 0, backend=backend).status == ("max_steps", "max_steps")
    nxt = gd(p, memoryless(3), 3, 1e308, 1, backend=backend)
    assert nxt.status == ("diverged", "diverged") and set(nxt.diverged_at.tolist()) <= {0, 1}
    assert np.all(np.isfinite(nxt.params.lam if hasattr(nxt.params, "lam") else nxt.params.A))


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_a_next_iterate_beyond_float64_is_divergence_except_at_the_last_step(backend: str) -> None:
    from tempx.numerics.students.dense import Params

    big = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), 10.0))  # ∇_C L = 18: C − 1e308·18 = −inf
    assert gd(big, memoryless(1), 1, 1e308, 0, backend=backend).status == ("max_steps",)
    step = gd(big, memoryless(1), 1, 1e308, 1, backend=backend)
    assert step.status == ("diverged",) and step.diverged_at.tolist() == [0] and step.params.C[0, 0, 0] == 10.0


def test_a_model_stopped_at_step_0_stays_stopped_across_compiled_blocks() -> None:
    """More steps than one compiled block (descent.CHUNK): a model converged at t = 0 is never run again."""
    from tempx.numerics.drivers.descent import CHUNK
    from tempx.numerics.students.dense import Params

    if not kernels.AVAILABLE:
        pytest.skip("numba not installed")
    exact_fit = Params(np.zeros((1, 2, 2)), np.array([[[1.0], [0.0]]]), np.array([[[1.0, 0.0]]]))
    batch = Params.stack([exact_fit, init_gaussian(1, 2, 0.3, 4)])
    res = gd(batch, memoryless(3), 3, 0.05, CHUNK + 500, tol=1e-12, backend="numba")
    assert res.status[0] == "converged" and res.steps[0] == 0 and np.array_equal(res.params.B[0], exact_fit.B[0])
    assert res.steps[1] == CHUNK + 500 or res.status[1] == "converged"


@needs_numba
def test_engines_stop_at_the_same_step_on_finite_data() -> None:
    """With a tolerance the compiled kernel's own loss rᵀ Σ̂ r decides when a model stops: on 6 sequences
    (k = 4, d = 5, η = 0.1) every model reaches L <= 1e-8 (at steps 640, 3095, 935 here, each loss then within
    0.5% of the tolerance, far from round-off) and both engines stop it at the same step."""
    moment = empirical_moment(gaussian_sequences(6, 4, seed=1))
    p = init_gaussian(3, 5, 0.5, seed=3)
    r1 = gd(p, memoryless(4), 4, 0.1, 5000, tol=1e-8, moment=moment, backend="numpy")
    r2 = gd(p, memoryless(4), 4, 0.1, 5000, tol=1e-8, moment=moment, backend="numba")
    assert list(r1.status) == ["converged"] * 3 and np.all(r1.steps < 5000)
    assert_same(r1, r2)


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_a_loss_equal_to_the_tolerance_has_converged(backend: str) -> None:
    """The rule is L <= tol: c·b = 1/2 against w* = 1 gives L_1 = 1/4 exactly, which stops at step 0 when
    tol = 1/4 and not when tol is the next float below; alone and beside three other models (a lane group)."""
    from tempx.numerics.students.dense import Params

    quarter = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), 0.5))
    for batch in (quarter, Params.stack([quarter] * 4)):
        at = gd(batch, memoryless(1), 1, 0.1, 5, tol=0.25, backend=backend)
        assert set(at.status) == {"converged"} and set(at.steps.tolist()) == {0}
        below = gd(batch, memoryless(1), 1, 0.1, 5, tol=float(np.nextafter(0.25, 0.0)), backend=backend)
        assert set(below.steps.tolist()) != {0}
