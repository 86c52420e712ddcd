"""The limit of gradient flow (tempx.numerics.drivers.limit): stopping rule, batch independence, the Jacobian, budgets."""

from __future__ import annotations

import numpy as np
import pytest

from tempx.numerics.app.experiments import seeded_batch
from tempx.numerics.drivers.executors import local_executor
from tempx.numerics.drivers.limit import flow_limit
from tempx.numerics.losses import weight_matrix
from tempx.numerics.powerlaw import fit_exponent
from tempx.numerics.students.dense import loss_and_grad
from tempx.numerics.teachers import memoryless, teacher_from_spec
from tempx.theory.errors import InvalidInput


def test_converged_models_meet_the_stated_test_and_conserve_Q() -> None:
    p = seeded_batch("gaussian", 3, 6, 0.2, 11)
    res = flow_limit(p, memoryless(3), 3, [30])
    assert res.status == ("converged",) * 3
    assert np.all(res.train_loss <= 1e-28) and np.all(res.grad_norm <= 1e-13)
    # Q is conserved by the flow (C4); the solver's tolerances (rtol 1e-11) bound its drift well below 1e-8
    assert np.all(res.Q_drift <= 1e-8 * (1 + res.Q_norm))
    assert np.all(res.extrapolation_loss[:, 0] >= res.train_loss)
    _, g = loss_and_grad(res.params, memoryless(3), 3)
    norms = np.sqrt((g.A**2).sum(axis=(1, 2)) + (g.B**2).sum(axis=(1, 2)) + (g.C**2).sum(axis=(1, 2)))
    np.testing.assert_allclose(res.grad_norm, norms, rtol=1e-12)


def test_a_model_alone_and_in_a_batch_reach_the_same_limit() -> None:
    p = seeded_batch("gaussian", 3, 5, 0.3, 4)
    teacher = teacher_from_spec("geometric:1/2", 4)
    together = flow_limit(p, teacher, 4, [12])
    alone = flow_limit(p.select(1), teacher, 4, [12])
    np.testing.assert_array_equal(alone.params.A[0], together.params.A[1])
    assert alone.status[0] == together.status[1] and alone.t[0] == together.t[1]


def test_scheduler_addresses_are_parsed_or_refused_in_one_line() -> None:
    from tempx.numerics.drivers.executors import parse_scheduler

    assert parse_scheduler("local:2") == ("local", 2) and parse_scheduler(" local:16 ") == ("local", 16)
    assert parse_scheduler("tcp://10.0.0.5:8786") == ("address", "tcp://10.0.0.5:8786")
    for bad in ("local:0", "local:x", "local:257", "10.0.0.5:8786", "tcp://", "", "http://host", "inproc://x",
                "local:99999999999"):
        with pytest.raises(InvalidInput, match="--scheduler"):
            parse_scheduler(bad)


def test_worker_pools_are_refused_from_their_memory_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    from tempx.numerics.drivers.executors import WORKER_BYTES, check_executor_options
    from tempx.theory.budget import BASE_BYTES, ENV, SLACK, OverBudget

    monkeypatch.setenv(ENV, str(int(SLACK * (BASE_BYTES + 10 * WORKER_BYTES)) + 1))  # this process and 10 workers
    pytest.importorskip("dask.distributed")
    check_executor_options("1", "local:10")
    with pytest.raises(OverBudget, match=r"--scheduler local:11 \(11 worker processes\) needs about"):
        check_executor_options("1", "local:11")
    with pytest.raises(OverBudget, match=r"--jobs 11 \(11 worker processes\)"), local_executor(11):
        pass


def test_local_executor_runs_here_for_one_job_and_in_processes_for_more() -> None:
    from concurrent.futures import ProcessPoolExecutor

    with local_executor(1) as ex:
        assert ex is None
    with local_executor(2) as ex:
        assert isinstance(ex, ProcessPoolExecutor) and ex._max_workers == 2


def test_parallel_models_give_the_serial_result() -> None:
    p = seeded_batch("gaussian", 2, 4, 0.3, 2)
    serial = flow_limit(p, memoryless(3), 3, [12])
    with local_executor(2) as ex:
        parallel = flow_limit(p, memoryless(3), 3, [12], executor=ex)
    np.testing.assert_array_equal(serial.params.A, parallel.params.A)
    assert serial.status == parallel.status


STUDENT_INITS = [("dense", "gaussian"), ("diagonal", "gaussian"), ("complex", "ring"), ("lru", "ring")]


@pytest.mark.parametrize(("student", "init"), STUDENT_INITS)
def test_jacobian_is_the_derivative_of_the_impulse_response(student: str, init: str) -> None:
    # J = ∂(w_0 … w_{k−1})/∂θ against central differences of the impulse response itself (error
    # O(h²) ~ 1e-10 at h = 1e-5; tolerance 1e-7 of the largest entry); -2 JᵀWJ is then the
    # Gauss–Newton matrix LSODA uses, exact at an interpolating point
    from tempx.numerics.students import get

    s = get(student)
    p = seeded_batch(init, 1, 3, 0.9, 4, student=student)
    k = 5
    J = s.jacobian(p, k)
    y0 = s.flatten(p)[0]
    h = 1e-5
    fd = np.empty_like(J)
    for j in range(y0.size):
        up, down = y0.copy(), y0.copy()
        up[j] += h
        down[j] -= h
        w = s.impulse_response(s.unflatten(np.stack([up, down]), p.d), k)
        fd[:, j] = (w[0] - w[1]) / (2 * h)
    assert J.shape == (k, y0.size)
    assert np.max(np.abs(fd - J)) <= 1e-7 * np.max(np.abs(J))


def test_budgets_stop_a_model_and_say_so() -> None:
    p = seeded_batch("gaussian", 1, 8, 0.05, 0)
    assert flow_limit(p, memoryless(4), 4, max_evals=50).status == ("budget",)
    res = flow_limit(p, memoryless(4), 4, t_max=1.0)
    assert res.status == ("budget",) and res.t[0] == 1.0 and res.train_loss[0] > 1e-28


def test_flow_limit_validates_its_arguments() -> None:
    p = seeded_batch("gaussian", 1, 3, 0.1, 0)
    for kwargs in ({"t_max": 0.0}, {"t_max": float("inf")}, {"loss_tol": -1.0}, {"max_evals": 0}, {"rtol": float("nan")}):
        with pytest.raises(InvalidInput):
            flow_limit(p, memoryless(2), 2, **kwargs)
    assert flow_limit(p, memoryless(2), 2, max_evals=1).status == ("budget",)  # the smallest budget is allowed


def test_power_law_fit_recovers_an_exact_exponent() -> None:
    sig = [0.05, 0.1, 0.2, 0.4]
    values = {s: [3.0 * s**6 * f for f in (0.5, 1.0, 2.0)] for s in sig}
    fit = fit_exponent(values, n_boot=200)
    assert fit is not None and abs(fit["exponent"] - 6.0) < 1e-9 and abs(fit["intercept"] - np.log10(3.0)) < 1e-9
    assert fit["ci_low"] <= 6.0 <= fit["ci_high"]
    assert fit_exponent({0.1: [1e-3], 0.2: [1e-2]}) is None  # fewer than 3 usable σ
    # the interval is the (1 ∓ level)/2 quantiles of the bootstrap slopes
    from tempx.numerics.powerlaw import bootstrap_slopes

    rng = np.random.default_rng(3)
    noisy = {s: list(s**4 * np.exp(rng.normal(size=6))) for s in sig}
    fit = fit_exponent(noisy, n_boot=300, seed=5, level=0.9)
    assert fit is not None
    boots = bootstrap_slopes({s: np.asarray(v) for s, v in noisy.items()}, 300, 5)
    assert (fit["ci_low"], fit["ci_high"]) == tuple(np.quantile(boots, [0.05, 0.95]))
    assert fit_exponent({0.1: [1e-40], 0.2: [1e-2], 0.3: [1e-1]}) is None  # one σ at the float floor


@pytest.mark.parametrize("weights", ["last", "all", "moment"])
@pytest.mark.parametrize(("student", "init"), STUDENT_INITS)
def test_the_solvers_inner_gradient_is_the_batched_one(student: str, init: str, weights: str) -> None:
    # the flow's one-model loss and gradient must be the batched loss_and_grad's, to round-off (1e-13 relative)
    from tempx.numerics.students import get

    s = get(student)
    p = seeded_batch(init, 1, 5, 0.7, 9, student=student)
    k = 4
    teacher = teacher_from_spec("atoms:4/5@3/5,-1/2@2/5", k)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(7, k))
    moment = (X[:, ::-1].T @ X[:, ::-1]) / 7 if weights == "moment" else None
    W = weight_matrix(k, None if moment is not None else weights, moment)
    L, g = s.loss_and_grad(p, teacher.impulse_response(k), W)
    L1, g1 = s.one_model(5, k, teacher.impulse_response(k), W)(s.flatten(p)[0])
    assert abs(L1 - L[0]) <= 1e-13 * L[0]
    np.testing.assert_allclose(g1, g[0], rtol=1e-13, atol=1e-13 * np.abs(g[0]).max())
    if student == "dense":  # and the batched gradient is the dense module's (A, B, C) form
        _, G = loss_and_grad(p, teacher, k, None if moment is not None else weights, moment)
        np.testing.assert_allclose(g[0], np.concatenate([G.A[0].ravel(), G.B[0, :, 0], G.C[0, 0]]), rtol=1e-15)


def test_a_model_already_at_its_limit_stops_at_time_0() -> None:
    """A = 0, B = C = 1 is the memoryless teacher itself: L_k = 0 and ∇L = 0 at the start, so the flow is
    not integrated at all (t = 0); a model that must move takes time."""
    from tempx.numerics.students.dense import Params

    exact = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.ones((1, 1, 1)))
    moving = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), 0.5))
    res = flow_limit(Params.stack([exact, moving]), memoryless(3), 3, [9])
    assert res.status == ("converged", "converged") and res.t[0] == 0.0 < res.t[1]


def test_the_loss_tolerance_is_relative_to_the_teachers_size_but_never_below_absolute() -> None:
    """The stopping test is L ≤ loss_tol · max(1, w*ᵀ W w*): for the memoryless teacher (w*ᵀ W w* = 1) a start
    with L = 1.5 loss_tol is not converged (the flow runs, t > 0), one with L = 0.5 loss_tol is (t = 0); for a
    teacher of gain 3 (w*ᵀ W w* = 9) the first start is within 9 loss_tol and stops at once."""
    from tempx.numerics.students.dense import Params

    eps = 1e-3  # C = 1 + ε: r_0 = ε, L = ε², ‖∇L‖ ≈ 2√2 ε
    start = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), 1 + eps))
    kw = {"grad_tol": 1e-2, "t_max": 1e6}
    above = flow_limit(start, memoryless(2), 2, loss_tol=eps**2 / 1.5, **kw)
    assert above.status == ("converged",) and above.t[0] > 0
    below = flow_limit(start, memoryless(2), 2, loss_tol=eps**2 / 0.5, **kw)
    assert below.status == ("converged",) and below.t[0] == 0.0
    big = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), 3 + eps))
    scaled = flow_limit(big, memoryless(2, gain=3.0), 2, loss_tol=eps**2 / 1.5, **kw)
    assert scaled.status == ("converged",) and scaled.t[0] == 0.0


def test_a_loss_exactly_at_the_tolerance_has_converged() -> None:
    """The stopping test is L ≤ loss_tol, inclusive: C = 1 + 2⁻¹⁰ gives L = 2⁻²⁰ exactly (every intermediate
    is a short dyadic, exact in any summation order); at loss_tol = 2⁻²⁰ the model stops at t = 0, one ulp
    below it the flow runs."""
    from tempx.numerics.students.dense import Params

    eps = 2.0**-10
    start = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), 1 + eps))
    at = flow_limit(start, memoryless(2), 2, loss_tol=eps**2, grad_tol=1e-2, t_max=1e6)
    assert at.status == ("converged",) and at.t[0] == 0.0 and at.train_loss[0] == eps**2
    below = flow_limit(start, memoryless(2), 2, loss_tol=np.nextafter(eps**2, 0.0), grad_tol=1e-2, t_max=1e6)
    assert below.status == ("converged",) and below.t[0] > 0.0


@pytest.mark.parametrize("t_max", [0.5, 2.0])
def test_the_flow_at_its_time_budget_is_the_closed_form_solution(t_max: float) -> None:
    """d = k = 1, memoryless teacher, b = c = 1/2: L = (bc − 1)², b = c stays, and v = b² solves the logistic
    equation v' = 4v(1 − v), v(t) = 1/(1 + 3e^{−4t}); a (which w_0 does not see) stays at 0.3.  The flow
    stopped by t_max is compared with it at t_max (LSODA at rtol 1e-11: agreement to 1e-8 is ample, a flow
    started at another time or run backwards is off by > 1e-2)."""
    from tempx.numerics.students.dense import Params

    p = Params(np.full((1, 1, 1), 0.3), np.full((1, 1, 1), 0.5), np.full((1, 1, 1), 0.5))
    res = flow_limit(p, memoryless(1), 1, t_max=t_max)
    v = 1.0 / (1.0 + 3.0 * np.exp(-4.0 * t_max))
    assert res.status == ("budget",) and res.t[0] == t_max
    assert res.params.A[0, 0, 0] == 0.3
    np.testing.assert_allclose([res.params.B[0, 0, 0] ** 2, res.params.C[0, 0, 0] ** 2], [v, v], rtol=1e-8)


def test_the_result_reports_counts_evaluations_progress_and_losses_of_every_model() -> None:
    """Two models, one at its limit (one evaluation, t = 0) and one that moves; the counts, the progress calls
    (1, 2), the evaluations (nfev: exactly the gradients computed, never more than max_evals) and L_q at the end
    (the batched extrapolation losses of the returned parameters)."""
    from tempx.numerics.extrapolation import extrapolation_losses
    from tempx.numerics.students.dense import Params

    exact = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.ones((1, 1, 1)))
    moving = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), 0.5))
    calls: list[int] = []
    res = flow_limit(Params.stack([exact, moving]), memoryless(3), 3, [2, 9], progress=calls.append)
    assert calls == [1, 2] and res.counts() == {"converged": 2, "budget": 0, "failed": 0, "diverged": 0}
    assert res.nfev[0] == 1 and res.nfev[1] > 1 and res.t[0] == 0.0
    assert res.qs == (2, 9) and res.extrapolation_loss.shape == (2, 2)
    np.testing.assert_array_equal(res.extrapolation_loss, extrapolation_losses(res.params, memoryless(3), [2, 9]))
    for budget in (1, 2, 50):
        capped = flow_limit(moving, memoryless(3), 3, max_evals=budget)
        assert capped.status == ("budget",) and capped.nfev[0] == budget
        assert capped.counts() == {"converged": 0, "budget": 1, "failed": 0, "diverged": 0}
