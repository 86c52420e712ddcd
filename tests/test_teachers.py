"""Float teachers (numerics/teachers.py), the non-linear ones in particular: ``rnn:ACT:N:SEED`` and a saved
non-linear student as ``file:PATH``, their outputs, and who may learn them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_usage_error, run_cli, run_tempx

from tempx.numerics.app.experiments import seeded_batch
from tempx.numerics.data import gaussian_sequences
from tempx.numerics.drivers.descent import gd
from tempx.numerics.drivers.limit import flow_limit
from tempx.numerics.drivers.montecarlo import extrapolation_mc
from tempx.numerics.extrapolation import extrapolation_losses
from tempx.numerics.losses import make_objective
from tempx.numerics.nonlinear_teachers import NonlinearTeacher, teacher_and_dim
from tempx.numerics.students.elman import ElmanParams, forward
from tempx.numerics.students.files import save_params
from tempx.numerics.teachers import teacher_rnn
from tempx.theory.errors import InvalidInput


def loop_outputs(t: NonlinearTeacher, X: np.ndarray) -> np.ndarray:
    """The recursion written out per sequence and unit, in plain Python floats (an independent route)."""
    phi = {"tanh": np.tanh, "relu": lambda z: max(z, 0.0), "identity": lambda z: z}[t.activation]
    out = np.empty(X.shape)
    for s in range(X.shape[0]):
        h = [0.0] * t.dim
        for step in range(X.shape[1]):
            h = [float(phi(sum(t.A[i, j] * h[j] for j in range(t.dim)) + t.B[i, 0] * X[s, step])) for i in range(t.dim)]
            out[s, step] = sum(t.C[0, i] * h[i] for i in range(t.dim))
    return out


@pytest.mark.parametrize("act", ["tanh", "relu", "identity"])
def test_random_teacher_is_seeded_and_its_outputs_are_the_recursion(act: str) -> None:
    t, dim = teacher_and_dim(f"rnn:{act}:5:3", 4)
    again, _ = teacher_and_dim(f"rnn:{act}:5:3", 4)
    other, _ = teacher_and_dim(f"rnn:{act}:5:4", 4)
    assert isinstance(t, NonlinearTeacher) and dim == 5 and t.activation == act and not t.linear
    np.testing.assert_array_equal(t.A, again.A)
    assert not np.array_equal(t.A, other.A)
    X = gaussian_sequences(6, 7, 1)
    np.testing.assert_allclose(t.outputs(X), loop_outputs(t, X), rtol=1e-12, atol=1e-14)


def test_random_teacher_scales() -> None:
    # A has N(0, 0.81/N) entries, B N(0, 1), C N(0, 1/N): sample variances within 10% at N = 400
    t, _ = teacher_and_dim("rnn:tanh:400:0")
    assert abs(t.A.var() * 400 / 0.81 - 1) < 0.1 and abs(t.B.var() - 1) < 0.25 and abs(t.C.var() * 400 - 1) < 0.25


def test_identity_teacher_outputs_are_the_convolution_with_its_impulse_response() -> None:
    t, _ = teacher_and_dim("rnn:identity:4:2", 6)
    lin = teacher_rnn(t.A, t.B, t.C, 6)
    X = gaussian_sequences(5, 6, 0)
    w = lin.impulse_response(6)
    np.testing.assert_allclose(t.outputs(X), make_objective(6, w, "all", data=X).Y, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("spec", "message"), [
    ("rnn:tanh:4", "the form is rnn:ACT:N:SEED"),
    ("rnn:sigmoid:4:0", "unknown activation 'sigmoid'"),
    ("rnn:tanh:0:0", "N (units) must be an integer in [1, 4096]"),
    ("rnn:tanh:4097:0", "N (units) must be an integer in [1, 4096]"),
    ("rnn:tanh:x:0", "N (units)"),
    ("rnn:tanh:4:-1", "SEED must be an integer"),
])
def test_bad_random_teacher_specifications_get_one_line(spec: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        teacher_and_dim(spec)


def test_a_student_equal_to_its_teacher_has_zero_losses(tmp_path: Path) -> None:
    # the teacher saved as a file, read back as file:PATH, and the same parameters as the student: the training
    # data's targets and the held-out sequences' targets are the student's own outputs, so both losses are 0 up
    # to round-off (BLAS may sum a batched and a single product in other orders: squared differences ≤ 1e-24)
    p = seeded_batch("gaussian", 1, 4, 0.9, 5, student="tanh")
    save_params(p, tmp_path / "teacher.json")
    t, dim = teacher_and_dim(f"file:{tmp_path / 'teacher.json'}", 3)
    assert isinstance(t, NonlinearTeacher) and dim == 4 and t.activation == "tanh"
    X = gaussian_sequences(16, 3, 2)
    # the same recursion through other BLAS calls (batched vs one model): equal to round-off, not bitwise
    np.testing.assert_allclose(t.outputs(X), forward(p, X)[1][0] @ p.C[0, 0], rtol=1e-12, atol=1e-15)
    res = gd(p, t, 3, 0.1, 0, data=X, qs=[12], mc=(64, 0))
    assert res.train_loss[0] <= 1e-24 and res.extrapolation_loss[0, 0] <= 1e-24
    moved = gd(ElmanParams(p.A * 0.5, p.B, p.C, "tanh"), t, 3, 0.1, 0, data=X, qs=[12], mc=(64, 0))
    assert moved.train_loss[0] > 1e-4 and moved.extrapolation_loss[0, 0] > 1e-4


def test_monte_carlo_against_an_identity_teacher_is_the_linear_value() -> None:
    # identity teacher and identity student: L_q = Σ_{i<q} r_i² exactly (linear theory); the Monte Carlo
    # estimate is within 5 standard errors of it (a false alarm has probability below 1e-6)
    t, _ = teacher_and_dim("rnn:identity:3:1", 4)
    p = seeded_batch("gaussian", 2, 3, 0.9, 0, student="identity")
    mean, se = extrapolation_mc(p, t, [4, 10], n=20000, seed=3)
    from tempx.numerics.students import get

    exact = extrapolation_losses(get("identity").to_dense(p), teacher_rnn(t.A, t.B, t.C), [4, 10])
    assert np.all(np.abs(mean - exact) <= 5 * se) and np.all(se > 0)


def test_linear_students_and_population_losses_are_refused() -> None:
    t, _ = teacher_and_dim("rnn:tanh:3:0", 4)
    dense = seeded_batch("gaussian", 1, 3, 0.5, 0, student="dense")
    with pytest.raises(InvalidInput, match="non-linear RNN: a dense student learns an impulse response"):
        gd(dense, t, 4, 0.1, 1, data=gaussian_sequences(8, 4, 0))
    with pytest.raises(InvalidInput, match="non-linear RNN: it has no impulse response"):
        flow_limit(dense, t, 4, [8])
    with pytest.raises(InvalidInput, match="learned from data or online sequences"):
        make_objective(4, np.zeros(4), outputs=t.outputs)
    tanh = seeded_batch("gaussian", 1, 3, 0.5, 0, student="tanh")
    with pytest.raises(InvalidInput, match="learned from data or online sequences"):
        gd(tanh, t, 4, 0.1, 1)


def test_a_saved_file_of_several_models_or_a_linear_student_is_not_a_non_linear_teacher(tmp_path: Path) -> None:
    save_params(seeded_batch("gaussian", 3, 2, 0.5, 0, student="relu"), tmp_path / "three.npz")
    with pytest.raises(InvalidInput, match="holds 3 models; a teacher is one"):
        teacher_and_dim(f"file:{tmp_path / 'three.npz'}")
    save_params(seeded_batch("gaussian", 1, 2, 0.5, 0, student="dense"), tmp_path / "dense.npz")
    with pytest.raises(InvalidInput):  # a dense student's file is not an exact teacher file either
        teacher_and_dim(f"file:{tmp_path / 'dense.npz'}")


def test_command_line_trains_on_a_non_linear_teacher_and_refuses_a_linear_student(tmp_path: Path) -> None:
    proc = run_tempx(["train", "--student", "relu", "--d", "4", "--k", "3", "--online", "16", "--steps", "20",
                      "--n-models", "1", "--teacher", "rnn:tanh:3:7", "--q", "9"])
    assert proc.returncode == 0, proc.stderr
    assert "teacher rnn:tanh:3:7 (a non-linear tanh RNN with 3 units)" in proc.stdout
    assert_usage_error(run_cli(["sweep", "--student", "dense", "--d", "3", "--k", "2", "--teacher", "rnn:tanh:3:7",
                                "--sigmas", "0.1", "--seeds", "1", "--out", str(tmp_path / "sweep")]), "a dense student learns an impulse response")
    assert not (tmp_path / "sweep").exists()


def test_the_hankel_matrix_is_sized_by_what_the_student_can_learn() -> None:
    from tempx.numerics.nonlinear_teachers import hankel_dimension
    from tempx.numerics.teachers import memoryless

    big, units = teacher_and_dim("rnn:tanh:50:0")
    assert units == 50 and hankel_dimension(big, units, 6) == 6 and hankel_dimension(big, units, 80) == 50
    lin, d_star = teacher_and_dim("atoms:1/2@1/2,1/3@1/2")
    assert hankel_dimension(lin, d_star, 1) == d_star == 2 and hankel_dimension(memoryless(), 1, 9) == 1


@pytest.mark.parametrize("gain", [0.0, float("inf"), float("nan"), -float("inf")])
def test_memoryless_gain_must_be_finite_and_nonzero(gain: float) -> None:
    from tempx.numerics.teachers import memoryless

    with pytest.raises(InvalidInput, match="gain must be a finite nonzero number"):
        memoryless(3, gain=gain)
    assert memoryless(3, gain=-2.5).impulse_response(2).tolist() == [-2.5, 0.0]


def test_a_file_teacher_that_is_neither_a_model_nor_a_student_gets_one_line(tmp_path: Path) -> None:
    for text in ("5", "[1, 2]", '"x"', "[]"):
        f = tmp_path / "t.json"
        f.write_text(text)
        with pytest.raises(InvalidInput):
            teacher_and_dim(f"file:{f}")
