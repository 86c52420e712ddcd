"""Adam and the cosine schedule (``tempx.numerics.drivers.optimizers``): against torch.optim.Adam (the ``reference``
extra; .ci/run installs it) and against an independent scalar transcription of the algorithm, Adam's step bound
(claim C17 (e)) on real runs, batch independence, and the command-line flags."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from cli_helpers import assert_usage_error, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import scaled

from tempx.numerics.drivers.descent import gd
from tempx.numerics.drivers.optimizers import Optimizer, adam
from tempx.numerics.students import get
from tempx.numerics.teachers import teacher_from_spec
from tempx.theory.adam_bound import step_factor
from tempx.theory.errors import InvalidInput

REL = 1e-12  # the agreement; measured 4e-16 … 9e-16 against torch over 100 steps


def _scalar_adam(theta0: np.ndarray, grad, lr: float, steps: int, b1: float, b2: float, eps: float, cosine: bool
                 ) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Kingma and Ba's Algorithm 1 with bias correction, one coordinate at a time in plain Python floats."""
    theta = [float(x) for x in theta0]
    m = [0.0] * len(theta)
    v = [0.0] * len(theta)
    for t in range(steps):
        g = grad(np.array(theta))
        eta = lr * 0.5 * (1 + math.cos(math.pi * t / steps)) if cosine else lr
        for j in range(len(theta)):
            m[j] = b1 * m[j] + (1 - b1) * g[j]
            v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j]
            mhat = m[j] / (1 - b1 ** (t + 1))
            vhat = v[j] / (1 - b2 ** (t + 1))
            theta[j] -= eta * mhat / (math.sqrt(vhat) + eps)
    return np.array(theta)


CASES = [("diagonal", 6, "delay:2"), ("complex", 4, "atoms:4/5@3/5,-1/2@2/5"), ("dense", 3, "memoryless"),
         ("lru", 3, "oscillating:3/5:3/5")]


def _problem(name: str, d: int, spec: str, seed: int = 0):  # type: ignore[no-untyped-def]
    s = get(name)
    p = s.init(s.inits[0], 1, d, 0.5, seed)
    k = 6
    teacher = teacher_from_spec(spec, k)
    wstar = teacher.impulse_response(k)

    def grad(theta: np.ndarray) -> np.ndarray:
        return s.loss_and_grad(s.unflatten(theta[None, :], d), wstar, np.ones(k))[1][0]

    return s, p, teacher, k, grad


@pytest.mark.parametrize("name, d, spec", CASES)
@pytest.mark.parametrize("cosine", [False, True])
def test_adam_matches_an_independent_transcription(name: str, d: int, spec: str, cosine: bool) -> None:
    s, p, teacher, k, grad = _problem(name, d, spec)
    opt = Optimizer("adam", 0.8, 0.99, 1e-7, "cosine" if cosine else "constant")
    ours = s.flatten(gd(p, teacher, k, 0.01, 100, optimizer=opt).params)[0]
    ref = _scalar_adam(s.flatten(p)[0], grad, 0.01, 100, 0.8, 0.99, 1e-7, cosine)
    assert np.max(np.abs(ours - ref)) <= REL * np.max(np.abs(ref))


@pytest.mark.parametrize("name, d, spec", CASES)
@pytest.mark.parametrize("cosine", [False, True])
def test_adam_matches_torch(name: str, d: int, spec: str, cosine: bool) -> None:
    torch = pytest.importorskip("torch", reason="the reference extra (pip install '.[reference]')")
    s, p, teacher, k, grad = _problem(name, d, spec, seed=3)
    opt = adam(schedule="cosine" if cosine else "constant")
    ours = s.flatten(gd(p, teacher, k, 0.01, 100, optimizer=opt).params)[0]
    theta = torch.tensor(s.flatten(p)[0], dtype=torch.float64, requires_grad=True)
    o = torch.optim.Adam([theta], lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=100, eta_min=0.0) if cosine else None
    for _ in range(100):
        o.zero_grad()
        theta.grad = torch.tensor(grad(theta.detach().numpy().copy()))
        o.step()
        if sched is not None:
            sched.step()
    ref = theta.detach().numpy()
    assert np.max(np.abs(ours - ref)) <= REL * np.max(np.abs(ref))


@given(seed=st.integers(0, 10**6), lr=st.floats(1e-4, 0.2), b1=st.sampled_from([0.0, 0.5, 0.9]),
       b2=st.sampled_from([0.9, 0.99, 0.999]))
@settings(max_examples=scaled(15))
def test_adam_step_bound_holds_on_real_runs(seed: int, lr: float, b1: float, b2: float) -> None:
    """C17 (e): no coordinate moves more than F·η_s in one step (F from the exact bound; a float run may exceed it by
    rounding only: 1e-12 relative)."""
    s, p, _teacher, _k, grad = _problem("diagonal", 5, "delay:3", seed)
    opt = Optimizer("adam", b1, b2, 1e-8, "cosine")
    F = float(step_factor(b1, b2))
    theta = s.flatten(p)
    state = opt.init(theta)
    for t in range(40):
        g = grad(theta[0])[None, :]
        eta = opt.rate(lr, t, 40)
        delta, state = opt.update(g, state, t, eta)
        assert np.max(np.abs(delta)) <= F * eta * (1 + 1e-12)
        theta = theta + delta


def test_a_model_runs_the_same_alone_or_in_a_batch() -> None:
    s = get("diagonal")
    batch = s.params_type.stack([s.init("gaussian", 1, 6, 0.5, i) for i in range(3)])
    teacher = teacher_from_spec("delay:2", 6)
    opt = adam(schedule="cosine")
    together = gd(batch, teacher, 6, 0.01, 200, optimizer=opt).params
    alone = gd(batch.select(1), teacher, 6, 0.01, 200, optimizer=opt).params
    assert np.array_equal(together.lam[1], alone.lam[0]) and np.array_equal(together.b[1], alone.b[0])


def test_frozen_fields_stay_frozen_under_adam() -> None:
    s = get("diagonal")
    p = s.init("gaussian", 2, 5, 0.5, 0)
    out = gd(p, teacher_from_spec("delay:1", 4), 4, 0.01, 50, optimizer=adam(), freeze=("b", "c")).params
    assert np.array_equal(out.b, p.b) and np.array_equal(out.c, p.c) and not np.array_equal(out.lam, p.lam)


def test_bad_optimizers_are_refused() -> None:
    for kwargs in ({"name": "sgd"}, {"schedule": "linear"}, {"beta1": 1.0}, {"beta2": -0.1}, {"eps": -1.0}):
        with pytest.raises(InvalidInput):
            Optimizer(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gd(get("dense").init("gaussian", 1, 2, 0.1, 0), teacher_from_spec("memoryless", 2), 2, 0.1, 1,
           optimizer="adam")  # type: ignore[arg-type]


def test_train_and_sweep_record_the_optimizer_and_the_budget(tmp_path) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["train", "--d", "6", "--k", "5", "--student", "diagonal", "--teacher", "delay:2", "--optimizer", "adam",
                 "--schedule", "cosine", "--lr", "0.01", "--steps", "300", "--n-models", "2", "--format", "json"])
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["config"]["optimizer"] == {"name": "adam", "schedule": "cosine", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    a = doc["budget"]["adam"]
    assert abs(a["step_factor"] - 7.2703) < 1e-4 and a["G_max"] >= max(m["G"] for m in doc["budget"]["models"])
    for m, row in zip(doc["budget"]["models"], doc["models"]):
        assert m["floor"] is None or m["floor"] <= row["train_loss"] * (1 + 1e-9)
    r = run_cli(["sweep", "--d", "4", "--k", "3", "--sigmas", "0.1", "--seeds", "2", "--steps", "50", "--optimizer", "adam",
                 "--out", str(tmp_path / "sw")])
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "sw" / "results.json").read_text())["config"]["optimizer"]["name"] == "adam"


@pytest.mark.parametrize("args, message", [
    (["--beta1", "0.5"], "add --optimizer adam"),
    (["--optimizer", "adam", "--beta2", "1.5"], "--beta2 must lie in [0, 1)"),
    (["--optimizer", "adam", "--eps", "-1"], "--eps"),
    (["--optimizer", "adam", "--until-converged"], "--optimizer"),
])
def test_optimizer_flags_bad_input(args: list[str], message: str) -> None:
    assert_usage_error(run_cli(["train", "--d", "3", "--k", "2", *args]), message)
