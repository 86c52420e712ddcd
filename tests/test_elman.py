"""Non-linear Elman students: BPTT gradients, the compiled kernel, the identity activation as the dense
student, the Monte Carlo L_q, online training, and the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_usage_error, run_cli, run_tempx
from strategies import central_differences

from tempx.numerics.app.experiments import seeded_batch
from tempx.numerics.data import gaussian_sequences
from tempx.numerics.drivers.descent import gd
from tempx.numerics.extrapolation import extrapolation_losses
from tempx.numerics.losses import empirical_moment, make_objective
from tempx.numerics.students import get
from tempx.numerics.students.dense_kernels import AVAILABLE
from tempx.numerics.students.elman import ElmanParams, register_activation
from tempx.numerics.teachers import memoryless, teacher_from_spec
from tempx.theory.errors import InvalidInput

ACTS = ["identity", "tanh", "relu"]


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("loss", ["last", "all"])
def test_bptt_gradient_is_the_derivative_of_the_loss(act: str, loss: str) -> None:
    # central differences at h = 1e-6 (error O(h²) + round-off/h ~ 1e-10 of the loss scale; relu has kinks, but
    # at Gaussian parameters no pre-activation lies within 1e-6 of 0 for these seeds); tolerance 1e-6 of the
    # largest entry, far below a wrong term
    s = get(act)
    p = seeded_batch("gaussian", 2, 4, 1.2, 3, student=act)
    k = 5
    t = teacher_from_spec("atoms:4/5@3/5,-1/2@2/5", k)
    obj = make_objective(k, t.impulse_response(k), loss, data=gaussian_sequences(7, k, 1))
    _, g = s.objective_loss_and_grad(p, obj)
    fd = central_differences(lambda th: s.objective_loss_and_grad(s.unflatten(th, p.d), obj)[0], s.flatten(p), 1e-6)
    assert np.max(np.abs(fd - g)) <= 1e-6 * np.max(np.abs(g))


@pytest.mark.skipif(not AVAILABLE, reason="numba is not installed")
@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("loss", ["last", "all"])
def test_compiled_kernel_follows_the_numpy_engine(act: str, loss: str) -> None:
    # the same trajectory, summed in another order: 1e-12 relative after 60 steps
    p = seeded_batch("gaussian", 3, 5, 0.8, 0, student=act)
    X = gaussian_sequences(16, 4, 2)
    a = gd(p, memoryless(4), 4, 0.05, 60, data=X, weights=loss, backend="numpy", qs=[8], mc=(64, 0))
    b = gd(p, memoryless(4), 4, 0.05, 60, data=X, weights=loss, backend="numba", qs=[8], mc=(64, 0))
    np.testing.assert_allclose(b.params.A, a.params.A, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.train_loss, a.train_loss, rtol=1e-12)
    assert a.status == b.status == ("max_steps",) * 3


@pytest.mark.skipif(not AVAILABLE, reason="numba is not installed")
def test_a_batch_of_one_unit_students_follows_the_numpy_engine() -> None:
    """d = 1 with three models: every model runs (the batch path is chosen by the number of models, not units)."""
    p = seeded_batch("gaussian", 3, 1, 0.8, 0, student="tanh")
    X = gaussian_sequences(16, 4, 2)
    a = gd(p, memoryless(4), 4, 0.05, 30, data=X, backend="numpy", qs=[8], mc=(16, 0))
    b = gd(p, memoryless(4), 4, 0.05, 30, data=X, backend="numba", qs=[8], mc=(16, 0))
    np.testing.assert_allclose(b.params.A, a.params.A, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.train_loss, a.train_loss, rtol=1e-12)
    assert np.all(np.abs(b.params.A - p.A) > 1e-8)  # every model moved


@pytest.mark.skipif(not AVAILABLE, reason="numba is not installed")
@pytest.mark.parametrize(("act", "parts"), [("identity", 2), ("tanh", 1), ("tanh", 3), ("relu", 2)])
def test_one_model_in_row_blocks_follows_the_numpy_engine(act: str, parts: int) -> None:
    # one model's sequences split into row blocks whose gradients are summed: the numpy trajectory to
    # 1e-12 relative after 40 steps, and the kernel's final loss is the loss at the returned parameters
    from tempx.numerics.students import elman_kernels

    p = seeded_batch("gaussian", 1, 5, 0.8, 4, student=act)
    X = gaussian_sequences(23, 4, 5)  # 23 rows: blocks of unequal size
    ref = gd(p, memoryless(4), 4, 0.05, 40, data=X, weights="all", backend="numpy", qs=[8], mc=(8, 0))
    student = get(act)
    obj = make_objective(4, memoryless(4).impulse_response(4), "all", data=X)
    arrays = student.kernel.arrays(p)
    out = np.zeros((1, 4))
    elman_kernels.gd_block(*arrays[:3], int(arrays[3][0]), obj.X, obj.Y, obj.time_weights, 0.05, 0, 41, 40, 0.0,
                           1e10, out, parts=parts)
    got = student.kernel.params(arrays)
    np.testing.assert_allclose(got.A, ref.params.A, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got.C, ref.params.C, rtol=1e-12, atol=1e-14)
    assert out[0, 0] == 2 and out[0, 1] == 40  # max_steps after 40 steps
    np.testing.assert_allclose(out[0, 3], ref.train_loss[0], rtol=1e-12)


@pytest.mark.skipif(not AVAILABLE, reason="numba is not installed")
def test_compiled_tanh_is_accurate_to_a_few_ulps() -> None:
    # the kernel's vectorized tanh against mpmath at 40 digits: relative error ≤ 1e-15 (measured 4.2e-16 on
    # 180 000 points from 1e-300 to 20; a wrong polynomial coefficient or ln 2 split gives ≥ 1e-12), exact at
    # 0 and ±1 beyond 19.1, and NaN in, NaN out
    import mpmath

    from tempx.numerics.students.elman_kernels import _activate

    rng = np.random.default_rng(11)
    z = np.concatenate([rng.standard_normal(400) * s for s in (1e-300, 1e-9, 1e-3, 0.2, 0.34, 0.7, 3, 12, 19)]
                       + [np.array([0.0, 0.34657359027997264, 0.3465735902799727, 2.0 ** -30, 19.0, 19.06])])
    z = np.concatenate([z, -z])
    h = np.empty((1, z.size))
    _activate(z[None, :], h, 1)
    with mpmath.workdps(40):
        exact = [mpmath.tanh(mpmath.mpf(float(x))) for x in z]
        rel = max(float(abs((mpmath.mpf(float(a)) - e) / e)) for a, e in zip(h[0], exact) if e != 0)
    assert rel <= 1e-15
    edge = np.array([[0.0, 19.2, -19.2, 40.0, -1e300, np.inf, -np.inf, np.nan]])
    out = np.empty_like(edge)
    _activate(edge, out, 1)
    np.testing.assert_array_equal(out[0, :7], [0.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
    assert np.isnan(out[0, 7])
    # where the reduced argument r reaches ±ln2/2 (2|z| near ln 2/2 and ln 2, z ≈ 0.17) the Taylor polynomial
    # works hardest: measured 3.6e-16 on this grid (the compiled loop and a plain-Python replica of it agree);
    # a polynomial one term short gives 9.1e-16, under the bound above, so here the bound is 6e-16
    near = np.linspace(0.05, 0.19, 4001)
    hn = np.empty((1, near.size))
    _activate(near[None, :], hn, 1)
    with mpmath.workdps(40):
        worst = max(float(abs((mpmath.mpf(float(a)) - e) / e))
                    for a, e in zip(hn[0], (mpmath.tanh(mpmath.mpf(float(x))) for x in near)))
    assert worst <= 6e-16


@pytest.mark.parametrize("backend", ["numpy", "numba"] if AVAILABLE else ["numpy"])
def test_identity_activation_is_the_dense_student_on_the_same_data(backend: str) -> None:
    """φ = identity: GD on the empirical last-output loss equals the dense student's GD on rᵀ Σ̂ r (C8), to 1e-12."""
    X = gaussian_sequences(32, 5, 4)
    dense = seeded_batch("gaussian", 3, 6, 0.5, 1, student="dense")
    ident = seeded_batch("gaussian", 3, 6, 0.5, 1, student="identity")
    np.testing.assert_array_equal(dense.A, ident.A)  # the same draws from the same seed
    a = gd(dense, memoryless(5), 5, 0.05, 400, moment=empirical_moment(X), backend=backend, qs=[20])
    b = gd(ident, memoryless(5), 5, 0.05, 400, data=X, backend=backend, qs=[20], mc=(64, 0))
    for f in "ABC":
        np.testing.assert_allclose(getattr(b.params, f), getattr(a.params, f), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.train_loss, a.train_loss, rtol=1e-12)


def test_monte_carlo_extrapolation_contains_the_exact_value() -> None:
    # for the identity activation L_q = Σ_{i<q} r_i² exactly; the estimate is within 5 standard errors
    # (a false alarm has probability below 1e-6 per value)
    p = seeded_batch("gaussian", 3, 4, 0.9, 2, student="identity")
    t = teacher_from_spec("atoms:4/5@3/5,-1/2@2/5", 3)
    from tempx.numerics.drivers.montecarlo import extrapolation_mc

    mean, se = extrapolation_mc(p, t, [3, 12, 30], n=4000, seed=7)
    exact = extrapolation_losses(get("identity").to_dense(p), t, [3, 12, 30])
    assert np.all(se > 0) and np.all(np.abs(mean - exact) <= 5 * se)
    again, _ = extrapolation_mc(p, t, [3, 12, 30], n=4000, seed=7)
    np.testing.assert_array_equal(mean, again)  # seeded
    with pytest.raises(InvalidInput, match="n >= 2"):
        extrapolation_mc(p, t, [3], n=1)
    two, two_se = extrapolation_mc(p, t, [3], n=2, seed=7)  # the smallest sample with a standard error
    assert two.shape == (3, 1) and np.all(np.isfinite(two_se))
    none, none_se = extrapolation_mc(p, t, [], n=4000, seed=7)  # no lengths: empty columns, nothing simulated
    assert none.shape == none_se.shape == (3, 0)


def test_online_training_is_reproducible_and_fresh() -> None:
    p = seeded_batch("gaussian", 2, 4, 0.5, 0, student="tanh")
    a = gd(p, memoryless(3), 3, 0.05, 30, online=(8, 5), qs=[9], mc=(64, 0))
    b = gd(p, memoryless(3), 3, 0.05, 30, online=(8, 5), qs=[9], mc=(64, 0))
    c = gd(p, memoryless(3), 3, 0.05, 30, data=gaussian_sequences(8, 3, 5), qs=[9], mc=(64, 0))
    np.testing.assert_array_equal(a.params.A, b.params.A)
    assert np.max(np.abs(a.params.A - c.params.A)) > 1e-8  # a new batch every step, not one fixed set
    obj = make_objective(3, np.array([1.0, 0, 0]), online=(8, 5))
    assert not np.array_equal(obj.at(0).X, obj.at(1).X) and np.array_equal(obj.at(1).X, obj.at(1).X)


def test_refusals() -> None:
    p = seeded_batch("gaussian", 1, 3, 0.5, 0, student="tanh")
    with pytest.raises(InvalidInput, match="trains on data"):
        gd(p, memoryless(3), 3, 0.05, 5)
    with pytest.raises(InvalidInput, match="one of"):
        make_objective(3, np.ones(3), data=np.ones((2, 3)), online=(2, 0))
    with pytest.raises(InvalidInput, match="last-output loss"):
        gd(seeded_batch("gaussian", 1, 3, 0.5, 0), memoryless(3), 3, 0.05, 5, data=np.ones((4, 3)), weights="all")
    from tempx.numerics.drivers.limit import flow_limit

    with pytest.raises(InvalidInput, match="impulse-response students"):
        flow_limit(p, memoryless(3), 3)
    with pytest.raises(InvalidInput, match="unknown activation"):
        ElmanParams(p.A, p.B, p.C, "sigmoid2")


def test_a_new_activation_from_the_registry() -> None:
    student = register_activation("softsign", lambda z: z / (1 + np.abs(z)), lambda z: 1 / (1 + np.abs(z)) ** 2)
    p = student.init("gaussian", 2, 3, 0.5, 0)
    assert get("softsign") is student and p.activation == "softsign"
    res = gd(p, memoryless(3), 3, 0.1, 200, data=gaussian_sequences(16, 3, 0), qs=[6], mc=(64, 0))
    assert res.train_loss.max() < res.extrapolation_loss.max() * 10 and student.kernel is None
    with pytest.raises(InvalidInput, match="exists already"):
        register_activation("tanh", np.tanh, np.tanh)


def test_command_line(tmp_path: Path) -> None:
    proc = run_tempx(["train", "--student", "tanh", "--d", "6", "--k", "4", "--data", "32", "--sigma", "0.05",
                      "--steps", "200", "--q", "20", "--n-models", "2", "--mc-sequences", "256", "--format", "json",
                      "--save-params", str(tmp_path / "t.json")])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    m = doc["models"][0]
    assert doc["config"]["student"] == "tanh" and doc["config"]["mc_sequences"] == 256
    assert m["extrapolation_se"]["20"] > 0 and len(m["A_singular_values"]) == 6
    text = run_cli(["train", "--student", "relu", "--d", "4", "--k", "3", "--online", "8", "--steps", "20",
                    "--mc-sequences", "64"])
    assert text.returncode == 0 and "Monte Carlo" in text.stdout
    assert re.search(r"\d\.\d{3}e[+-]\d+ ± \d", text.stdout)  # the table's own L_q column carries the interval
    # the same seed, data and options: identity and dense start and end at the same parameters
    for s in ("identity", "dense"):
        assert run_cli(["train", "--student", s, "--d", "4", "--k", "3", "--data", "16", "--steps", "100",
                        "--save-params", str(tmp_path / f"{s}.json"), "--mc-sequences", "64"]).returncode == 0
    a, b = (json.loads((tmp_path / f"{s}.json").read_text()) for s in ("identity", "dense"))
    np.testing.assert_allclose(np.array(a[0]["A"]), np.array(b[0]["A"]), rtol=1e-12, atol=1e-14)
    assert a[0]["student"] == "identity" and b[0]["student"] == "dense"
    assert_usage_error(run_cli(["train", "--student", "tanh", "--d", "4", "--k", "3"]), "--data n or --online n")
    assert_usage_error(run_cli(["train", "--student", "tanh", "--d", "4", "--k", "3", "--data", "8",
                                "--until-converged"]), "--until-converged")
    assert_usage_error(run_cli(["train", "--d", "4", "--k", "3", "--data", "8", "--online", "8"]), "give one")
    assert_usage_error(run_cli(["certify", "--params", str(tmp_path / "t.json"), "--k", "4"]), "linear students")
    assert_usage_error(run_cli(["sweep", "--student", "relu", "--d", "4", "--k", "3", "--sigmas", "0.1", "--seeds", "1",
                                "--out", str(tmp_path / "o")]), "--data n or --online n")
    # the cost is bounded before the work: BPTT keeps every state of every sequence (30 GiB here)
    assert_usage_error(run_cli(["train", "--student", "tanh", "--d", "100", "--k", "50", "--data", "100000"]),
                       "over the memory limit")
    assert_usage_error(run_cli(["sweep", "--student", "relu", "--d", "100", "--k", "50", "--sigmas", "0.1", "--seeds", "8",
                                "--online", "100000", "--out", str(tmp_path / "big")]), "over the memory limit")
    assert not (tmp_path / "big").exists()
    assert_usage_error(run_cli(["train", "--d", "3", "--k", "4", "--online", "1000000000"]), "over the memory limit")


def test_select_and_stack_keep_each_model_and_the_activation() -> None:
    p = seeded_batch("gaussian", 3, 4, 0.5, 0, student="relu")
    one = p.select(1)
    assert one.n_models == 1 and one.activation == "relu"
    for f in "ABC":
        np.testing.assert_array_equal(getattr(one, f)[0], getattr(p, f)[1])
    two = p.select([2, 0])
    np.testing.assert_array_equal(two.A, p.A[[2, 0]])
    back = ElmanParams.stack([p.select(0), p.select(1), p.select(2)])
    np.testing.assert_array_equal(back.A, p.A)
    assert back.activation == "relu"
    with pytest.raises(InvalidInput, match="one batch has one activation"):
        ElmanParams.stack([p.select(0), seeded_batch("gaussian", 1, 4, 0.5, 0, student="tanh")])


@pytest.mark.skipif(not AVAILABLE, reason="numba is not installed")
@pytest.mark.parametrize("n_models", [1, 2])
def test_a_stationary_model_is_not_taken_for_diverged(n_models: int) -> None:
    """b = c = 0 is a stationary point of every Elman student (all gradients vanish): the kernel keeps it,
    runs all its steps and never reports divergence (its non-finite checks must not divide by a gradient)."""
    p = seeded_batch("gaussian", n_models, 3, 0.5, 0, student="tanh")
    zero = ElmanParams(p.A, np.zeros_like(p.B), np.zeros_like(p.C), "tanh")
    res = gd(zero, memoryless(3), 3, 0.1, 5, data=gaussian_sequences(8, 3, 0), backend="numba", mc=(8, 0))
    assert res.status == ("max_steps",) * n_models and np.all(res.diverged_at == -1)
    np.testing.assert_array_equal(res.params.A, p.A)


def test_the_monte_carlo_sequences_default_to_4096() -> None:
    """--mc-sequences defaults to 4096 (train --help)."""
    proc = run_cli(["train", "--student", "tanh", "--d", "2", "--k", "2", "--data", "4", "--steps", "0", "--n-models", "1",
                    "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["config"]["mc_sequences"] == 4096


@pytest.mark.skipif(not AVAILABLE, reason="numba is not installed")
@pytest.mark.parametrize("n_models", [1, 2])
def test_an_overflowing_step_is_divergence_and_the_parameters_stay_finite(n_models: int) -> None:
    """Inputs of size 1e3 and η = 1e305: the loss is finite but the first update overflows; the kernel reports
    divergence at step 0 and returns the parameters it started from (it checks an update before writing it)."""
    p = seeded_batch("gaussian", n_models, 3, 0.5, 1, student="relu")
    X = 1e3 * gaussian_sequences(8, 3, 0)
    res = gd(p, memoryless(3), 3, 1e305, 10, data=X, backend="numba", mc=(8, 0))
    assert res.status == ("diverged",) * n_models and np.all(res.diverged_at == 0)
    assert all(np.all(np.isfinite(getattr(res.params, f))) for f in "ABC")
    np.testing.assert_array_equal(res.params.A, p.A)


@pytest.mark.skipif(not AVAILABLE, reason="numba is not installed")
def test_two_sequences_give_the_numpy_trajectory() -> None:
    # n = 2: the output weight 2/n·τ is exactly 1 (no special case for any weight value)
    p = seeded_batch("gaussian", 2, 3, 0.8, 2, student="tanh")
    X = gaussian_sequences(2, 3, 6)
    a = gd(p, memoryless(3), 3, 0.05, 30, data=X, backend="numpy", qs=[6], mc=(8, 0))
    b = gd(p, memoryless(3), 3, 0.05, 30, data=X, backend="numba", qs=[6], mc=(8, 0))
    np.testing.assert_allclose(b.params.A, a.params.A, rtol=1e-12, atol=1e-14)


@pytest.mark.skipif(not AVAILABLE, reason="numba is not installed")
@pytest.mark.parametrize("where", ["A", "b", "c"])
def test_a_step_ends_in_divergence_when_any_gradient_entry_or_any_updated_entry_is_not_finite(where: str) -> None:
    """The compiled step's stopping rule on hand-made gradients (d = 3): a single non-finite gradient entry (the
    first or the last of its array) with a finite loss is divergence at step t — also on the last step and when
    the loss is within the tolerance, where no update is tried; so is an update A − ηg that overflows although
    A + ηg would not; the parameters stay as they were.  A finite step is applied in place."""
    from tempx.numerics.students import elman_kernels
    from tempx.numerics.students.dense_kernels import CONVERGED, DIVERGED, MAX_STEPS, RUNNING

    def step(grads: dict[str, np.ndarray], lr: float, params: dict[str, np.ndarray] | None = None,
             t: int = 4, tol: float = 0.0) -> tuple:
        p = {"A": np.full((3, 3), 0.5), "b": np.full(3, 0.25), "c": np.full(3, -0.5), **(params or {})}
        g = {"A": np.zeros((3, 3)), "b": np.zeros(3), "c": np.zeros(3), **grads}
        before = {f: v.copy() for f, v in p.items()}
        out = np.array([RUNNING, 0.0, -1.0, np.nan])
        stop = elman_kernels._end_step(p["A"], p["b"], p["c"], g["A"], g["b"], g["c"], 2.0, lr, t, 10, tol, 1e300, out)
        return stop, out, p, before

    shape = (3, 3) if where == "A" else (3,)
    for entry in (0, -1):
        for bad in (np.inf, np.nan):
            g = np.zeros(shape)
            g.flat[entry] = bad
            for t, tol in ((4, 0.0), (10, 0.0), (4, 5.0)):  # a step, the last step, a loss within the tolerance
                stop, out, p, before = step({where: g}, 1e-3, t=t, tol=tol)
                assert stop and out[0] == DIVERGED and out[2] == t and out[3] == 2.0, (entry, bad, t, tol)
                assert all(np.array_equal(p[f], before[f]) for f in p)
    # the entry −1e308 minus η·g = 1e308 overflows (to −inf); plus it would be 0
    huge = np.zeros(shape)
    huge.flat[-1] = 1.0
    start = {where: np.full(shape, 0.5)}
    start[where].flat[-1] = -1e308
    stop, out, p, before = step({where: huge}, 1e308, start)
    assert stop and out[0] == DIVERGED and out[2] == 4
    assert all(np.array_equal(p[f], before[f]) for f in p)
    # a finite step: applied in place, and the step is not the last (t = 4 < total = 10)
    stop, out, p, before = step({where: huge}, 0.125)
    assert not stop and out[0] == RUNNING
    np.testing.assert_array_equal(p[where], before[where] - 0.125 * huge)
    stop, out, p, before = step({where: huge}, 0.125, tol=2.0)  # L = 2 ≤ tol: converged, nothing applied
    assert stop and out[0] == CONVERGED and out[1] == 4
    assert all(np.array_equal(p[f], before[f]) for f in p)
    stop, out, p, before = step({where: huge}, 0.125, t=10)  # the last step: stops, nothing applied
    assert stop and out[0] == MAX_STEPS and out[1] == 10
    assert all(np.array_equal(p[f], before[f]) for f in p)


def test_the_derivatives_of_the_activations_and_relus_at_zero() -> None:
    """φ' as documented: identity 1, tanh 1 − tanh², relu 1 for z > 0 and 0 for z <= 0 (relu'(0) = 0, as in the
    compiled kernel; a pre-activation of exactly 0 happens, e.g. at B = 0 on the first step)."""
    from tempx.numerics.students.elman import ACTIVATIONS

    z = np.array([-2.0, -0.0, 0.0, 5e-324, 3.0])
    assert list(ACTIVATIONS["relu"][1](z)) == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert list(ACTIVATIONS["relu"][0](z)) == [0.0, 0.0, 0.0, 5e-324, 3.0]
    assert list(ACTIVATIONS["identity"][1](z)) == [1.0] * 5
    assert ACTIVATIONS["tanh"][1](np.array([0.0, 1.0])) == pytest.approx([1.0, 1.0 - np.tanh(1.0) ** 2], rel=1e-15)


def test_the_impulse_response_of_an_elman_student_runs_the_network_on_a_unit_impulse() -> None:
    """w_0 = C φ(B), w_{i+1} = C φ(A h_i): with φ = identity the dense student's C A^i B; with tanh and relu the
    non-linearity applied at every step (checked against a direct loop)."""
    from tempx.numerics.students import student_of
    from tempx.numerics.students.dense import Params, impulse_response
    from tempx.numerics.students.elman import ACTIVATIONS, ElmanParams

    rng = np.random.default_rng(5)
    A, B, C = rng.normal(0, 0.6, (2, 3, 3)), rng.normal(0, 1, (2, 3, 1)), rng.normal(0, 1, (2, 1, 3))
    lin = ElmanParams(A, B, C, "identity")
    w = student_of(lin).impulse_response(lin, 6)
    assert w == pytest.approx(impulse_response(Params(A, B, C), 6), rel=1e-12, abs=1e-14)
    for act in ("tanh", "relu"):
        p = ElmanParams(A, B, C, act)
        phi = ACTIVATIONS[act][0]
        for i in range(2):
            h, ref = phi(B[i, :, 0]), []
            for _ in range(6):
                ref.append(C[i, 0] @ h)
                h = phi(A[i] @ h)
            assert student_of(p).impulse_response(p, 6)[i] == pytest.approx(ref, rel=1e-12, abs=1e-14)
