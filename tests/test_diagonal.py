"""Diagonal students (C12) in float64: gradients against the exact layer, engines, invariants, CLI."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_usage_error, run_cli, run_tempx
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from strategies import scaled

from tempx.numerics.drivers.descent import gd
from tempx.numerics.students.diagonal import DiagParams, impulse_response, loss_and_grad
from tempx.numerics.students.diagonal_kernels import AVAILABLE
from tempx.numerics.students.init import init_diagonal, init_ring
from tempx.numerics.teachers import teacher_from_spec
from tempx.theory.diagonal import DiagonalStudent, diagonal_gradient, gaussian
from tempx.theory.errors import InvalidInput
from tempx.theory.teacher_spec import parse_teacher

SPECS = ["memoryless", "atoms:4/5@3/5,-1/2@2/5", "oscillating:3/5:3/5", "delay:2"]


def _rational_point(rng: np.random.Generator, d: int, complex_modes: bool) -> tuple[DiagonalStudent, DiagParams]:
    def r() -> Fraction:
        return Fraction(int(rng.integers(-6, 7)), int(rng.integers(1, 5)))

    if complex_modes:
        vals = [[(r(), r()) for _ in range(d)] for _ in range(3)]
        exact = DiagonalStudent(*(tuple(gaussian(a, b) for a, b in v) for v in vals))
        floats = DiagParams(*(np.array([[float(a) + 1j * float(b) for a, b in v]]) for v in vals))
    else:
        vals = [[r() for _ in range(d)] for _ in range(3)]
        exact = DiagonalStudent(*(tuple(v) for v in vals))
        floats = DiagParams(*(np.array([[float(x) for x in v]]) for v in vals))
    return exact, floats


def _to_complex(z: object) -> complex:
    return complex(float(Fraction(int(z.x.numerator), int(z.x.denominator))),  # type: ignore[attr-defined]
                   float(Fraction(int(z.y.numerator), int(z.y.denominator))))  # type: ignore[attr-defined]


@pytest.mark.parametrize("complex_modes", [False, True])
@settings(max_examples=scaled(15))
@given(seed=st.integers(0, 2**31), d=st.integers(1, 4), k=st.integers(1, 6), spec=st.sampled_from(SPECS))
def test_float_gradient_equals_exact_gradient(complex_modes: bool, seed: int, d: int, k: int, spec: str) -> None:
    """Relative 1e-11 of the largest gradient entry: float64 round-off of O(k d) products of inputs ≤ 6."""
    exact, floats = _rational_point(np.random.default_rng(seed), d, complex_modes)
    _, g = loss_and_grad(floats, teacher_from_spec(spec, k), k)
    el, eb, ec = diagonal_gradient(exact, parse_teacher(spec), k)
    conv = _to_complex if complex_modes else float
    for got, want in ((g.lam[0], el), (g.b[0], eb), (g.c[0], ec)):
        want_f = np.array([conv(x) for x in want])
        scale = max(1.0, np.abs(want_f).max())
        assert np.abs(got - want_f).max() <= 1e-11 * scale


@pytest.mark.skipif(not AVAILABLE, reason="numba not installed")
@pytest.mark.parametrize("complex_modes", [False, True])
@pytest.mark.parametrize("n_models", [5, 1])  # several models run the parallel block, one the serial block
def test_numba_engine_equals_numpy_engine(complex_modes: bool, n_models: int) -> None:
    p = init_diagonal(n_models, 8, 0.4, 3, complex_modes=complex_modes)
    t = teacher_from_spec("oscillating:3/5:3/5", 6)
    a = gd(p, t, 6, 0.02, 3000, backend="numpy", qs=[30], tol=1e-12)
    b = gd(p, t, 6, 0.02, 3000, backend="numba", qs=[30], tol=1e-12)
    assert a.status == b.status and np.array_equal(a.steps, b.steps)
    for m in ("lam", "b", "c"):
        x, y = getattr(a.params, m), getattr(b.params, m)
        assert np.abs(x - y).max() <= 1e-12 * max(1.0, np.abs(x).max())


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_divergence_is_detected_and_batch_independent(backend: str) -> None:
    mixed = DiagParams.stack([init_diagonal(1, 4, 8.0, 1), init_diagonal(1, 4, 0.2, 2)])
    t = teacher_from_spec("memoryless", 3)
    res = gd(mixed, t, 3, 0.5, 200, backend=backend)
    assert res.status[0] == "diverged" and res.diverged_at[0] >= 0 and np.all(np.isfinite(res.params.lam))
    alone = gd(mixed.select(1), t, 3, 0.5, 200, backend=backend)
    assert np.array_equal(alone.params.b[0], res.params.b[1]) and alone.status[0] == res.status[1]
    assert np.all(np.isfinite(res.train_loss[1:]))


@pytest.mark.parametrize("complex_modes", [False, True])
def test_gradient_flow_keeps_the_balance_and_the_signs(complex_modes: bool) -> None:
    """C12(b, c) along gradient flow (LSODA, rtol 1e-11): |b|² − |c|² constant to 1e-8, signs/phases kept."""
    p = init_diagonal(1, 5, 0.8, 4, complex_modes=complex_modes, balanced=True,
                      negative_fraction=0.0 if complex_modes else 0.4)
    t = teacher_from_spec("atoms:4/5@3/5,-1/2@2/5", 5)
    d = p.d

    def pack(q: DiagParams) -> np.ndarray:
        flat = np.concatenate([q.lam[0], q.b[0], q.c[0]])
        return flat.view(np.float64) if complex_modes else flat

    def unpack(y: np.ndarray) -> DiagParams:
        z = y.view(np.complex128) if complex_modes else y
        return DiagParams(z[None, :d], z[None, d:2 * d], z[None, 2 * d:])

    def rhs(_: float, y: np.ndarray) -> np.ndarray:
        _, g = loss_and_grad(unpack(y), t, 5)
        return -pack(DiagParams(g.lam, g.b, g.c))

    sol = solve_ivp(rhs, (0, 200), pack(p), method="LSODA", rtol=1e-11, atol=1e-13)
    end = unpack(sol.y[:, -1].copy())
    assert np.abs(end.balance() - p.balance()).max() <= 1e-8
    assert np.abs(end.signs() - p.signs()).max() <= 1e-6
    assert loss_and_grad(end, t, 5)[0][0] < loss_and_grad(p, t, 5)[0][0]


def test_initializations() -> None:
    p = init_diagonal(3, 8, 0.5, 0, balanced=True, negative_fraction=0.25)
    assert np.all(np.abs(p.b) == np.abs(p.c)) and np.all((p.b * p.c < 0).sum(axis=1) == 2)
    q = init_diagonal(2, 5, 0.5, 0, complex_modes=True, balanced=True)
    assert np.allclose(q.c, np.conj(q.b)) and np.all(q.balance() == 0)
    r = init_ring(4, 16, 0.5, 1, r_min=0.5, r_max=0.8)
    assert r.is_complex and np.all((np.abs(r.lam) >= 0.5) & (np.abs(r.lam) <= 0.8))
    with pytest.raises(InvalidInput, match="negative_fraction"):
        init_diagonal(1, 4, 0.5, 0, balanced=True, negative_fraction=1.5)
    with pytest.raises(InvalidInput, match="ring"):
        init_ring(1, 4, 0.5, 0, r_min=0.9, r_max=0.5)
    with pytest.raises(InvalidInput, match="share one shape"):
        DiagParams(np.ones((1, 2)), np.ones((1, 3)), np.ones((1, 2)))
    with pytest.raises(InvalidInput, match="non-finite"):
        DiagParams(np.array([[np.nan]]), np.ones((1, 1)), np.ones((1, 1)))


def test_dense_realization_has_the_same_impulse_response_and_losses() -> None:
    """Two independent paths (running powers of λ; Krylov sweeps of the dense realization), to 1e-12."""
    from tempx.numerics.drivers.descent import evaluate
    from tempx.numerics.extrapolation import extrapolation_losses
    from tempx.numerics.extrapolation import extrapolation_losses as dense_L
    from tempx.numerics.students.dense import impulse_response as dense_ir
    from tempx.numerics.students.dense import loss_and_grad as dense_lg

    t = teacher_from_spec("atoms:4/5@3/5,-1/2@2/5", 5)
    for cm in (False, True):
        p = init_diagonal(3, 4, 0.9, 7, complex_modes=cm)
        assert np.allclose(impulse_response(p, 12), dense_ir(p.to_dense(), 12), rtol=1e-12, atol=1e-15)
        assert np.allclose(extrapolation_losses(p, t, [3, 7, 12]), dense_L(p.to_dense(), t, [3, 7, 12]), rtol=1e-12)
        values = evaluate(p, t, 5, [9], "all")
        assert np.allclose(values["train_loss"], dense_lg(p.to_dense(), t, 5, "all")[0], rtol=1e-12)
        assert np.allclose(values["extrapolation_loss"], dense_L(p.to_dense(), t, [9]), rtol=1e-12)


def test_counterexample_command_diagonal() -> None:
    proc = run_tempx(["counterexample", "--student", "diagonal", "--nodes", "1,2,3", "--k", "3", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["impulse_response"][:4] == ["1", "0", "0", "6"] and doc["weights"] == ["3", "-3", "1"]
    assert doc["train_loss"] == "0" and doc["student"] == "diagonal"
    # defaults: 2k + 1 terms shown, L_q at q = k + 1, 2k and the number of terms
    assert len(doc["impulse_response"]) == 7 and set(doc["extrapolation_loss"]) == {"4", "6", "7"}
    bal = json.loads(run_cli(["counterexample", "--student", "diagonal", "--nodes", "1,-1", "--k", "2", "--balanced",
                                "--format", "json"]).stdout)
    assert bal["b"] == bal["c"] and bal["impulse_response"][:3] == ["1", "0", "1"]
    text = run_cli(["counterexample", "--student", "diagonal", "--nodes", "1,2,3", "--k", "3"]).stdout
    assert "weights c_j b_j: 3, -3, 1" in text and "impulse response w_0..w_6: 1, 0, 0, 6, 36, 150, 540" in text
    latex = run_cli(["counterexample", "--student", "diagonal", "--nodes", "1,2,3", "--k", "3", "--format", "latex"]).stdout
    assert latex.startswith("% tempx counterexample: diagonal student, k = 3, d = 3")
    assert "A = \\begin{bmatrix}\n1 & 0 & 0 \\\\" in latex


@pytest.mark.parametrize("args, needle", [
    (["--nodes", "1,1", "--k", "2"], "nodes must be distinct, repeated: 1"),
    (["--nodes", "1,2,2,3,3", "--k", "5"], "repeated: 2, 3"),
    (["--nodes", "0,1", "--k", "2"], "nonzero"),
    (["--nodes", "1,2", "--k", "3"], "needs exactly 3 nodes"),
    (["--k", "3"], "needs --nodes"),
    (["--nodes", "1,2,3", "--k", "3", "--balanced"], "not positive"),
    (["--nodes", "1,x", "--k", "2"], "not an exact rational"),
    (["--nodes", "1,2", "--k", "2", "--c", "2"], "--c is for the dense student"),
])
def test_counterexample_diagonal_bad_input(args: list[str], needle: str) -> None:
    assert_usage_error(run_cli(["counterexample", "--student", "diagonal", *args]), needle)


def test_unknown_student_and_misplaced_options() -> None:
    assert_usage_error(run_tempx(["counterexample", "--student", "lstm", "--k", "3"]), "unknown student")
    assert_usage_error(run_cli(["counterexample", "--nodes", "1,2", "--k", "2"]), "go with --student diagonal")
    assert_usage_error(run_cli(["train", "--student", "lstm", "--d", "3", "--k", "3"]), "unknown student")
    assert_usage_error(run_cli(["train", "--student", "diagonal", "--init", "ring", "--d", "3", "--k", "3"]),
                       "not an initialization of the diagonal student")
    assert_usage_error(run_cli(["train", "--init", "ring", "--d", "3", "--k", "3"]), "not an initialization of the dense")


@pytest.mark.parametrize("args, needle", [
    (["--student", "complex", "--r-min", "0.5"], "--r-min and --r-max go with --init ring"),
    (["--student", "diagonal", "--r-max", "0.5"], "--r-min and --r-max go with --init ring"),
    (["--student", "diagonal", "--negative-fraction", "0.5"], "--negative-fraction goes with --student diagonal --init symmetric"),
    (["--student", "complex", "--init", "symmetric", "--negative-fraction", "0.5"], "--negative-fraction goes with"),
    (["--student", "diagonal", "--init", "symmetric", "--cap", "0.9"], "--cap goes with the dense symmetric"),
    (["--init", "gaussian", "--cap", "0.9"], "--cap goes with the dense symmetric"),
])
def test_train_refuses_options_it_would_ignore(args: list[str], needle: str) -> None:
    assert_usage_error(run_cli(["train", "--d", "3", "--k", "3", "--steps", "1", *args]), needle)


def test_train_takes_ring_radii_where_they_apply() -> None:
    for student in ("complex", "lru"):
        proc = run_cli(["train", "--student", student, "--init", "ring", "--r-min", "0.5", "--r-max", "0.7", "--d", "3",
                        "--k", "3", "--steps", "1"])
        assert proc.returncode == 0, proc.stderr
    # the flow's solver memory counts too: d = 6000 has 3.6e7 parameters, 1e10 bytes of backward differences and Jacobian
    assert_usage_error(run_cli(["train", "--d", "6000", "--k", "2", "--n-models", "1", "--until-converged"]),
                       "over the memory limit")


def test_train_complex_saves_and_restarts_as_itself(tmp_path: Path) -> None:
    saved = tmp_path / "p.json"
    proc = run_tempx(["train", "--student", "complex", "--d", "6", "--k", "4", "--steps", "500", "--n-models", "2",
                      "--format", "json", "--save-params", str(saved)])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["config"]["student"] == "complex" and len(doc["models"]) == 2
    assert {"status", "train_loss", "extrapolation_loss", "hankel_rank"} <= set(doc["models"][0])
    again = run_cli(["train", "--k", "4", "--init-file", str(saved), "--steps", "0", "--format", "json"])
    assert again.returncode == 0, again.stderr  # saved as a complex student (the file says so)
    assert json.loads(saved.read_text())[0]["student"] == "complex"
    assert json.loads(again.stdout)["config"]["student"] == "complex"
    for a, b in zip(doc["models"], json.loads(again.stdout)["models"]):
        assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-10)


@pytest.mark.parametrize("kind", ["real", "complex", "ring"])
def test_initialization_scales(kind: str) -> None:
    """Entries N(0, σ²/d); complex parts N(0, σ²/(2d)), so E|b_j|² = σ²/d as for real modes.

    4000 models × 8 modes: the sample standard deviation is within 2% of the true one with
    probability > 1 − 1e-9 (relative standard error 1/√(2·32000) ≈ 0.4%)."""
    sigma, d = 0.6, 8
    p = init_ring(4000, d, sigma, 3) if kind == "ring" else init_diagonal(4000, d, sigma, 3, complex_modes=kind != "real")
    for x in (p.b, p.c) + (() if kind == "ring" else (p.lam,)):
        assert np.sqrt(np.mean(np.abs(x) ** 2)) == pytest.approx(sigma / np.sqrt(d), rel=0.02)
    if kind == "ring":
        assert np.abs(p.lam).min() >= 0.4 and np.abs(p.lam).max() <= 0.9
        assert np.mean(np.abs(p.lam)) == pytest.approx(0.65, rel=0.02)  # uniform radius on [0.4, 0.9]
        assert abs(np.mean(np.exp(1j * np.angle(p.lam)))) < 0.02  # uniform phase


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_tol_zero_never_stops_early_and_tol_positive_converges(backend: str) -> None:
    """The stopping rules of gd: start at an exact solution (λ = 0, b = c = 1: w = (1, 0, 0, …), loss exactly 0)."""
    exact_fit = DiagParams(np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)))
    batch = DiagParams.stack([exact_fit, init_diagonal(1, 1, 0.3, 5)])
    t = teacher_from_spec("memoryless", 3)
    full = gd(batch, t, 3, 0.05, 30, tol=0.0, backend=backend)
    assert full.status == ("max_steps", "max_steps") and full.steps.tolist() == [30, 30]
    assert full.train_loss[0] == 0.0 and full.diverged_at.tolist() == [-1, -1]
    early = gd(batch, t, 3, 0.05, 30, tol=1e-12, backend=backend)
    assert early.status[0] == "converged" and early.steps[0] == 0 and early.diverged_at[0] == -1
    assert early.status[1] == "max_steps" and early.steps[1] == 30


def test_the_requested_engine_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    from tempx.numerics.students import diagonal_kernels

    def compiled_called(*args: object) -> None:
        raise RuntimeError("compiled engine called")

    monkeypatch.setattr(diagonal_kernels, "diag_gd_block", compiled_called)
    p, t = init_diagonal(2, 3, 0.3, 1), teacher_from_spec("memoryless", 3)
    res = gd(p, t, 3, 0.05, 5, backend="numpy")
    assert res.status == ("max_steps", "max_steps") and res.extrapolation_loss.shape == (2, 0)
    if AVAILABLE:
        for backend in ("numba", "auto"):
            with pytest.raises(RuntimeError, match="compiled engine called"):
                gd(p, t, 3, 0.05, 5, backend=backend)
    with pytest.raises(InvalidInput, match="unknown backend 'cuda'"):
        gd(p, t, 3, 0.05, 5, backend="cuda")


def test_extrapolation_losses_of_no_lengths() -> None:
    from tempx.numerics.extrapolation import extrapolation_losses

    p = init_diagonal(3, 2, 0.3, 1)
    assert extrapolation_losses(p, teacher_from_spec("memoryless"), []).shape == (3, 0)


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_divergence_bound_is_strict_and_the_last_step_is_not_taken(backend: str) -> None:
    """Both engines as gd: loss == bound is not divergence (loss > bound is); at t = steps no next
    iterate is formed, so a step size that would overflow does not matter there."""
    t = teacher_from_spec("memoryless", 1)
    at_bound = DiagParams(np.zeros((1, 1)), np.ones((1, 1)), np.full((1, 1), 1.0 + 1e5))  # r_0 = 1e5: L = 1e10
    assert gd(at_bound, t, 1, 0.01, 0, divergence_bound=1e10, backend=backend).status == ("max_steps",)
    assert gd(at_bound, t, 1, 0.01, 0, divergence_bound=1e10 - 1e-3, backend=backend).status == ("diverged",)
    p = init_diagonal(2, 3, 0.5, 2)
    last = gd(p, teacher_from_spec("memoryless", 3), 3, 1e308, 0, backend=backend)
    assert last.status == ("max_steps", "max_steps")
    nxt = gd(p, teacher_from_spec("memoryless", 3), 3, 1e308, 1, backend=backend)
    assert nxt.status == ("diverged", "diverged") and set(nxt.diverged_at.tolist()) <= {0, 1}
    assert np.all(np.isfinite(nxt.params.lam if hasattr(nxt.params, "lam") else nxt.params.A))


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_a_next_iterate_beyond_float64_is_divergence_except_at_the_last_step(backend: str) -> None:
    big = DiagParams(np.zeros((1, 1)), np.ones((1, 1)), np.full((1, 1), 10.0))  # ∂L/∂c = 18: c − 1e308·18 = −inf
    t = teacher_from_spec("memoryless", 1)
    assert gd(big, t, 1, 1e308, 0, backend=backend).status == ("max_steps",)
    step = gd(big, t, 1, 1e308, 1, backend=backend)
    assert step.status == ("diverged",) and step.diverged_at.tolist() == [0] and step.params.c[0, 0] == 10.0


def test_a_diagonal_model_stopped_at_step_0_stays_stopped_across_compiled_blocks() -> None:
    from tempx.numerics.drivers.descent import CHUNK

    if not AVAILABLE:
        pytest.skip("numba not installed")
    exact_fit = DiagParams(np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)))
    batch = DiagParams.stack([exact_fit, init_diagonal(1, 1, 0.3, 4)])
    res = gd(batch, teacher_from_spec("memoryless", 3), 3, 0.05, CHUNK + 500, tol=1e-12, backend="numba")
    assert res.status[0] == "converged" and res.steps[0] == 0 and res.params.c[0, 0] == 1.0


def test_student_names() -> None:
    assert init_diagonal(1, 2, 0.5, 0).student == "diagonal" and not init_diagonal(1, 2, 0.5, 0).is_complex
    assert init_diagonal(1, 2, 0.5, 0, complex_modes=True).student == "complex"


@pytest.mark.parametrize("teacher", [None, "atoms:1/5@2"])
def test_the_weights_work_is_checked_before_the_weights_are_computed(teacher: str | None,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The memoryless teacher's weights cost lagrange_work(n, b) (Lagrange's closed form; b = 1 + 3 bits of 1/4,
    the longest node); another teacher's (atoms: its dimension is closed form, no other work is checked) the
    exact Vandermonde inverse, vandermonde_work(n, g) with g = log₂ Q + log₂ max |Q·λ| (nodes 1/2, 1/3, 1/4: Q = 12,
    Q·λ = 6, 4, 3, so g = log₂ 12 + log₂ 6): a limit just under refuses the construction, one just over builds it."""
    import math

    from tempx.theory.budget import WORK_ENV, OverBudget, lagrange_work, vandermonde_work
    from tempx.theory.diagonal import diagonal_counterexample
    from tempx.theory.teacher_spec import parse_teacher

    nodes = ["1/2", "1/3", "1/4"]
    t = None if teacher is None else parse_teacher(teacher)
    units = lagrange_work(3, 1 + 3) if teacher is None else vandermonde_work(3, math.log2(12) + math.log2(6))
    monkeypatch.setenv(WORK_ENV, repr(units * 0.99))
    with pytest.raises(OverBudget, match="a diagonal counterexample on 3 nodes"):
        diagonal_counterexample(nodes, teacher=t)
    monkeypatch.setenv(WORK_ENV, repr(units * 1.01))
    assert len(diagonal_counterexample(nodes, teacher=t).impulse_response(3)) == 3


@given(st.lists(st.tuples(st.fractions(min_value=-3, max_value=3, max_denominator=50),
                          st.fractions(min_value=-3, max_value=3, max_denominator=50),
                          st.fractions(min_value=-3, max_value=3, max_denominator=50)), min_size=1, max_size=6),
       st.integers(1, 25))
def test_the_closed_form_impulse_response_is_the_realizations(modes: list[tuple[Fraction, Fraction, Fraction]],
                                                              n: int) -> None:
    """Real nodes take the integer route (λ_j = p_j/Q, c_j b_j = N_j/G); its terms equal, as exact rationals, those
    of the dense realization diag(λ), b, c — zero nodes and weights, negative and repeated nodes included."""
    s = DiagonalStudent(tuple(m[0] for m in modes), tuple(m[1] for m in modes), tuple(m[2] for m in modes))
    assert s.impulse_response(n) == tuple(s.to_rnn().impulse_response(n))
