"""The student protocol: every student's map θ ↦ w, its pullback, its flat form, its conserved
quantities and its files, checked the same way for dense, diagonal, complex and LRU students."""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy as sp
from cli_helpers import assert_usage_error, run_cli, run_tempx
from strategies import central_differences

from tempx.numerics.app.experiments import seeded_batch
from tempx.numerics.drivers.descent import gd
from tempx.numerics.drivers.flow import gradient_flow
from tempx.numerics.losses import weight_matrix
from tempx.numerics.students import LINEAR, STUDENTS, get, student_of
from tempx.numerics.students.files import (
    MAX_NPZ_BYTES,
    from_statespace,
    load_params,
    save_params,
    to_statespace,
)
from tempx.numerics.students.lru import LRUParams
from tempx.numerics.teachers import teacher_from_spec
from tempx.theory.errors import InvalidInput

INITS = {"dense": "gaussian", "diagonal": "gaussian", "complex": "ring", "lru": "ring"}


def batch(student: str, n: int = 2, d: int = 3, sigma: float = 0.8, seed: int = 5) -> object:
    return seeded_batch(INITS[student], n, d, sigma, seed, student=student)


def test_registry_names_every_student_once() -> None:
    assert STUDENTS == ("dense", "diagonal", "complex", "lru", "identity", "tanh", "relu")
    assert LINEAR == STUDENTS[:4] and all(get(s).nonlinear for s in STUDENTS[4:])
    for name in LINEAR:
        assert get(name).name == name and student_of(batch(name)) is get(name)
    with pytest.raises(InvalidInput, match="unknown student 'lstm'"):
        get("lstm")
    with pytest.raises(TypeError, match="not the parameters of a student"):
        student_of(np.zeros(3))


@pytest.mark.parametrize("student", LINEAR)
@pytest.mark.parametrize("weights", ["last", "all", "moment"])
def test_gradient_is_the_derivative_of_the_loss(student: str, weights: str) -> None:
    # central differences at h = 1e-6: truncation O(h²)·|L'''| ~ 1e-12 and round-off ~ 1e-16/h ~ 1e-10
    # of the loss scale; tolerance 1e-6 of the largest gradient entry covers both with a wide margin,
    # while a wrong factor or a missing term moves entries by O(1) of it
    s = get(student)
    p = batch(student)
    k = 4
    t = teacher_from_spec("atoms:4/5@3/5,-1/2@2/5", k)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(9, k))
    W = weight_matrix(k, None, X[:, ::-1].T @ X[:, ::-1] / 9) if weights == "moment" else weight_matrix(k, weights)
    wstar = t.impulse_response(k)
    _, g = s.loss_and_grad(p, wstar, W)
    fd = central_differences(lambda th: s.loss_and_grad(s.unflatten(th, p.d), wstar, W)[0], s.flatten(p), 1e-6)
    assert np.max(np.abs(fd - g)) <= 1e-6 * np.max(np.abs(g))


@pytest.mark.parametrize("student", LINEAR)
def test_the_loss_is_the_weighted_sum_of_squared_residuals(student: str) -> None:
    """L = Σ_i ω_i r_i² with r = w − w* taken from the impulse response, for unequal weights ω (and rᵀΣ̂r for a
    moment matrix): the gradient test above compares ∇L with the student's own L, so L itself is checked here.
    Tolerance 1e-13: the same four products summed in another order (round-off ~1e-16); ω ↦ 1/ω is off by O(1)."""
    s = get(student)
    p = batch(student)
    k = 4
    wstar = teacher_from_spec("atoms:4/5@3/5,-1/2@2/5", k).impulse_response(k)
    r = s.impulse_response(p, k) - wstar[None, :]
    omega = np.array([0.5, 3.0, 0.0, 2.0])
    L, _ = s.loss_and_grad(p, wstar, weight_matrix(k, omega))
    np.testing.assert_allclose(L, (omega * r**2).sum(axis=1), rtol=1e-13)
    S = np.array([[2.0, 0.5, 0, 0], [0.5, 1.0, 0, 0], [0, 0, 1.0, 0.25], [0, 0, 0.25, 3.0]])
    L, _ = s.loss_and_grad(p, wstar, weight_matrix(k, None, S))
    np.testing.assert_allclose(L, np.einsum("ni,ij,nj->n", r, S, r), rtol=1e-13)


@pytest.mark.parametrize("student", LINEAR)
def test_flat_form_and_arrays_round_trip_exactly(student: str) -> None:
    s = get(student)
    p = batch(student)
    q = s.unflatten(s.flatten(p), p.d)
    for f in s.fields:
        np.testing.assert_array_equal(getattr(p, f), getattr(q, f))
    r = s.from_arrays(s.arrays(p))
    np.testing.assert_array_equal(s.flatten(p), s.flatten(r))
    assert s.flatten(p).dtype == np.float64


def test_dense_arrays_take_b_and_c_as_vectors_or_as_columns_and_rows() -> None:
    """A saved dense model may hold B and C as plain vectors (one model: (d,), several: (N, d)) or in the
    batch's own shapes (N, d, 1) and (N, 1, d); all read as the same model."""
    s = get("dense")
    A, b, c = np.array([[0.5, 0.25], [0.0, -0.5]]), np.array([1.0, 2.0]), np.array([3.0, -4.0])
    want = s.from_arrays({"A": A[None], "B": b[None, :, None], "C": c[None, None, :]})
    for B, C in ((b, c), (b[:, None], c[None, :]), (b, c[None, :])):
        got = s.from_arrays({"A": A, "B": B, "C": C})
        assert got.B.shape == (1, 2, 1) and got.C.shape == (1, 1, 2)
        np.testing.assert_array_equal(s.flatten(got), s.flatten(want))
    two = s.from_arrays({"A": np.stack([A, A]), "B": np.stack([b, b]), "C": np.stack([c, c])})
    assert two.B.shape == (2, 2, 1) and two.C.shape == (2, 1, 2) and np.array_equal(two.C[1, 0], c)


@pytest.mark.parametrize("student", LINEAR)
def test_dense_realization_has_the_same_impulse_response(student: str) -> None:
    s = get(student)
    p = batch(student)
    dense = s.to_dense(p)
    np.testing.assert_allclose(get("dense").impulse_response(dense, 20), s.impulse_response(p, 20), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("student", ["diagonal", "complex", "lru"])
def test_balance_is_orthogonal_to_the_gradient_and_conserved_by_the_flow(student: str) -> None:
    # d/dt (|b_j|² − |c_j|²) = −2 (⟨b_j, ∇_b L⟩ − ⟨c_j, ∇_c L⟩) = 0 per mode: to round-off (1e-13 of
    # the terms) at every point, and along a DOP853 flow at rtol 1e-10 to 1e-8
    s = get(student)
    p = batch(student, d=4)
    k = 5
    t = teacher_from_spec("memoryless", k)
    _, g = s.loss_and_grad(p, t.impulse_response(k), weight_matrix(k))
    G = s.unflatten(g, p.d)
    inner_b = np.real(np.conj(p.b) * G.b)
    inner_c = np.real(np.conj(p.c) * G.c)
    assert np.max(np.abs(inner_b - inner_c)) <= 1e-13 * np.max(np.abs(inner_b) + np.abs(inner_c))
    flow = gradient_flow(p, t, k, 5.0, t_eval=[0.0, 5.0])
    drift = s.conserved(flow.params[-1]) - s.conserved(p)
    assert np.max(np.abs(drift)) <= 1e-8
    moved = np.abs(s.flatten(flow.params[-1]) - s.flatten(p)).max()
    assert moved > 1e-3  # the flow went somewhere: the check above is not vacuous


def test_lru_balance_is_conserved_exactly_and_nothing_else_quadratic() -> None:
    """Exact (sympy): with w_i = Re(c γ b λ^i) for symbols b, c ∈ ℂ and any λ, γ, the generator of
    b → s b, c → c/s is orthogonal to ∇w_i, so |b|² − |c|² is conserved by every gradient flow of a
    loss of w; the rotation b → e^{iφ} b, c → e^{−iφ} c also leaves w unchanged, but its generator
    is skew, so the quadratic form it gives is identically 0 (no second conserved quantity)."""
    br, bi, cr, ci, lr, li, g = sp.symbols("b_r b_i c_r c_i l_r l_i gamma", real=True)
    b, c, lam = br + sp.I * bi, cr + sp.I * ci, lr + sp.I * li
    for i in range(4):
        w = sp.re(sp.expand(c * g * b * lam**i))
        euler = br * sp.diff(w, br) + bi * sp.diff(w, bi) - cr * sp.diff(w, cr) - ci * sp.diff(w, ci)
        assert sp.expand(euler) == 0
        rotation = -bi * sp.diff(w, br) + br * sp.diff(w, bi) + ci * sp.diff(w, cr) - cr * sp.diff(w, ci)
        assert sp.expand(rotation) == 0  # a symmetry of w ...
    skew = sp.Matrix([[0, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, -1, 0]])
    v = sp.Matrix([br, bi, cr, ci])
    assert sp.expand((v.T * skew * v)[0]) == 0  # ... whose quadratic form vanishes: nothing conserved
    # and ν, θ do move: a counterexample to their conservation (one GD step of the numerics)
    p = batch("lru", n=1)
    res = gd(p, teacher_from_spec("memoryless", 3), 3, 0.1, 1, backend="numpy")
    assert np.all(res.params.nu != p.nu) and np.all(res.params.theta != p.theta)


def test_lru_pullback_against_high_precision_derivatives() -> None:
    """The LRU formulas (dλ/dν = −e^ν λ, dγ/dν = e^ν|λ|²/γ, dλ/dθ = iλ) against mpmath's numerical
    derivative of w_i at 40 digits (its error is far below float64's; tolerance 1e-11 relative)."""
    s = get("lru")
    p = batch("lru", n=1, d=2)
    k = 4
    rho = np.array([[0.3, -1.1, 0.7, 0.2]])
    g = s.pullback(p, rho)[0]
    mpmath.mp.dps = 40

    def w(i: int, nu: list, th: list, b: list, c: list) -> mpmath.mpf:
        total = mpmath.mpf(0)
        for j in range(len(nu)):
            lam = mpmath.exp(-mpmath.exp(nu[j]) + 1j * th[j])
            gam = mpmath.sqrt(1 - abs(lam) ** 2)
            total += mpmath.re(c[j] * gam * b[j] * lam**i)
        return total

    base = [list(map(mpmath.mpf, p.nu[0])), list(map(mpmath.mpf, p.theta[0])),
            [mpmath.mpc(complex(x)) for x in p.b[0]], [mpmath.mpc(complex(x)) for x in p.c[0]]]
    d = p.d
    expected = []
    for field, part in [(0, None), (1, None), (2, "re"), (3, "re"), (2, "im"), (3, "im")]:
        for j in range(d):
            def f(x: mpmath.mpf, field: int = field, part: str | None = part, j: int = j) -> mpmath.mpf:
                args = [list(a) for a in base]
                if part is None:
                    args[field][j] = x
                elif part == "re":
                    args[field][j] = mpmath.mpc(x, base[field][j].imag)
                else:
                    args[field][j] = mpmath.mpc(base[field][j].real, x)
                return sum(rho[0, i] * w(i, *args) for i in range(k))
            x0 = base[field][j] if part is None else (base[field][j].real if part == "re" else base[field][j].imag)
            expected.append(float(mpmath.diff(f, x0)))
    # flat order: ν, θ, then split([b, c]) = Re b, Re c, Im b, Im c
    np.testing.assert_allclose(g, np.array(expected), rtol=1e-11, atol=1e-13)
    mpmath.mp.dps = 15


def test_lru_validates_its_parameters() -> None:
    with pytest.raises(InvalidInput, match="ν must be <= 700"):
        LRUParams(np.full((1, 1), 800.0), np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)))
    with pytest.raises(InvalidInput, match="share one shape"):
        LRUParams(np.zeros((1, 2)), np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)))
    p = LRUParams(np.full((1, 1), -800.0), np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)))  # |λ| = 1 to float64
    _, g = get("lru").loss_and_grad(p, np.array([1.0, 0.0]), weight_matrix(2))
    assert np.all(np.isfinite(g))  # γ = 0: the derivative of γ is taken as its limit 0, never 0/0
    # and it is that limit: the true ∂L/∂ν is O(1)·dγ/dν with dγ/dν ≈ √(e^ν/2) ≈ 1e-174 at ν = −800
    assert abs(g[0, 0]) <= 1e-170


@pytest.mark.parametrize("student", LINEAR)
def test_npz_and_json_round_trips_keep_the_parameters(tmp_path: Path, student: str) -> None:
    s = get(student)
    p = batch(student)
    for name in ("p.npz", "p.json"):
        save_params(p, tmp_path / name)
        q = load_params(tmp_path / name)
        assert student_of(q) is s
        np.testing.assert_array_equal(s.flatten(p), s.flatten(q))  # JSON floats are repr-exact
    doc = json.loads((tmp_path / "p.json").read_text())
    assert all(m["student"] == student for m in doc)


@pytest.mark.parametrize("student", LINEAR)
def test_python_control_round_trip_keeps_the_impulse_response(student: str) -> None:
    control = pytest.importorskip("control")
    s = get(student)
    p = batch(student)
    w = s.impulse_response(p, 40)
    for i in range(p.n_models):
        sys = to_statespace(p, i)
        assert sys.isdtime()
        _, y = control.impulse_response(sys, T=np.arange(40))
        np.testing.assert_allclose(np.squeeze(y), w[i], rtol=0, atol=1e-12 * max(1.0, np.abs(w[i]).max()))
        back = from_statespace(sys)
        np.testing.assert_allclose(get("dense").impulse_response(back, 40)[0], w[i], rtol=0,
                                   atol=1e-12 * max(1.0, np.abs(w[i]).max()))


def test_python_control_refusals() -> None:
    control = pytest.importorskip("control")
    with pytest.raises(InvalidInput, match="continuous-time"):
        from_statespace(control.ss([[-1.0]], [[1.0]], [[1.0]], [[0.0]]))
    with pytest.raises(InvalidInput, match="SISO"):
        from_statespace(control.ss(np.eye(2) * 0.5, np.eye(2), np.eye(2), np.zeros((2, 2)), True))
    with pytest.raises(TypeError, match="StateSpace"):
        from_statespace("not a system")


def test_npz_files_a_user_can_get_wrong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.npz"
    np.savez(bad, A=np.array([object()], dtype=object))
    with pytest.raises(InvalidInput, match="not a NumPy .npz of numeric arrays"):
        load_params(bad)  # object arrays need pickles, which are never loaded
    np.savez(bad, X=np.ones(3))
    with pytest.raises(InvalidInput, match="expected A, B, C"):
        load_params(bad)
    np.savez(bad, A=np.ones((2, 2)), B=np.ones((2, 1)))
    with pytest.raises(InvalidInput, match="missing C"):
        load_params(bad)
    np.savez(bad, student=np.array("lru"), lam=np.ones(2), b=np.ones(2), c=np.ones(2))
    with pytest.raises(InvalidInput, match="missing nu, theta; unknown lam"):
        load_params(bad)
    np.savez(bad, A=np.full((2, 2), np.nan), B=np.ones((2, 1)), C=np.ones((1, 2)))
    with pytest.raises(InvalidInput, match="non-finite"):
        load_params(bad)
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(InvalidInput, match="not a NumPy .npz"):
        load_params(tmp_path / "text.npz")
    np.savez_compressed(bad, A=np.zeros((300, 300)), B=np.zeros((300, 1)), C=np.zeros((1, 300)))
    monkeypatch.setattr("tempx.numerics.students.files.MAX_NPZ_BYTES", 100_000)
    with pytest.raises(InvalidInput, match="expands to"):
        load_params(bad)  # 720 kB of arrays in a small file: refused from the zip directory, before loading
    assert MAX_NPZ_BYTES == 256 * 1024**2
    # without a 'student' entry the arrays decide: complex λ is the complex student, real λ the diagonal one
    for lam, name in ((np.array([0.5 + 0.25j, -0.5j]), "complex"), (np.array([0.5, -0.25]), "diagonal")):
        plain = tmp_path / f"{name}.npz"
        np.savez(plain, lam=lam, b=np.ones(2, dtype=lam.dtype), c=np.ones(2, dtype=lam.dtype))
        assert student_of(load_params(plain)).name == name


def test_a_dense_json_entry_without_A_is_refused_in_one_line(tmp_path: Path) -> None:
    f = tmp_path / "m.json"
    for doc in ([{"B": [[1.0]], "C": [[1.0]]}], {"a": [[1.0]]}):
        f.write_text(json.dumps(doc))
        with pytest.raises(InvalidInput, match="each model must be an object with keys A"):
            load_params(f)
    f.write_text(json.dumps([[1.0]]))
    with pytest.raises(InvalidInput, match="each model must be a JSON object"):
        load_params(f)


def test_json_files_of_other_students(tmp_path: Path) -> None:
    f = tmp_path / "m.json"
    f.write_text(json.dumps([{"student": "complex", "lam": [[0.5, 0.1]], "b": [[1, 0]], "c": [[1, 0]]},
                             {"student": "diagonal", "lam": [0.5], "b": [1], "c": [1]}]))
    with pytest.raises(InvalidInput, match="one student"):
        load_params(f)
    f.write_text(json.dumps({"student": "complex", "lam": [0.5], "b": [[1, 0]], "c": [[1, 0]]}))
    with pytest.raises(InvalidInput, match=r"\[re, im\] pairs"):
        load_params(f)
    f.write_text(json.dumps({"student": "lru", "nu": [0.1], "theta": [0.2], "b": [[1, 0]]}))
    with pytest.raises(InvalidInput, match="missing field 'c'"):
        load_params(f)
    f.write_text(json.dumps({"student": "diagonal", "lam": ["1/2"], "b": [1], "c": ["NaN"]}))
    with pytest.raises(InvalidInput, match="non-finite"):
        load_params(f)
    f.write_text(json.dumps({"student": "diagonal", "lam": ["1/2"], "b": [1], "c": [[1, 2], [3]]}))
    with pytest.raises(InvalidInput, match="rows of different lengths"):
        load_params(f)
    f.write_text(json.dumps({"student": "diagonal", "lam": ["1/2"], "b": [1], "c": [2]}))
    p = load_params(f)
    assert p.lam[0, 0] == 0.5 and p.c[0, 0] == 2.0


@pytest.mark.parametrize("student", LINEAR)
def test_every_command_takes_every_student(tmp_path: Path, student: str) -> None:
    """train by GD and to the limit, --save-params (.npz and JSON), --init-file and certify (the first in a
    real process, the others through the entry point in this one)."""
    npz, js = tmp_path / "limit.npz", tmp_path / "gd.json"
    init = ["--init", "ring"] if student in ("complex", "lru") else []
    limit = run_tempx(["train", "--student", student, *init, "--d", "2", "--k", "2", "--n-models", "2", "--until-converged",
                     "--t-max", "1e4", "--save-params", str(npz), "--format", "json"])
    assert limit.returncode == 0, limit.stderr
    doc = json.loads(limit.stdout)
    assert doc["config"]["student"] == student and len(doc["models"]) == 2
    assert all(m["Q_drift"] is not None and m["Q_drift"] < 1e-6 for m in doc["models"])
    again = run_cli(["train", "--init-file", str(npz), "--k", "2", "--steps", "50", "--data", "8",
                     "--save-params", str(js), "--format", "json"])
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["config"]["student"] == student
    assert json.loads(js.read_text())[0]["student"] == student
    cert = run_cli(["certify", "--params", str(npz), "--k", "2", "--format", "json"])
    assert cert.returncode == 0, cert.stderr
    cdoc = json.loads(cert.stdout)
    assert cdoc["config"]["student"] == student
    for m, trained in zip(cdoc["models"], doc["models"]):
        assert m["exact_value"] not in (None, "inf")  # every student here is stable: a rational
        assert m["L_k"] == pytest.approx(trained["train_loss"], rel=1e-6, abs=1e-20)
    wrong = "dense" if student != "dense" else "lru"
    assert_usage_error(run_cli(["train", "--init-file", str(npz), "--student", wrong, "--k", "2"]),
                       f"holds {student} students")


def test_certify_of_a_real_diagonal_student_is_the_closed_form() -> None:
    """Two routes to L_∞ of a diagonal student (C14): the dense realization's exact recursion and the
    closed form over the modes (``theory.linf.diagonal_linf``), equal as rationals."""
    import tempfile
    from argparse import Namespace
    from fractions import Fraction

    from tempx.numerics.app.commands.certify import build
    from tempx.theory.linf import diagonal_linf

    p = batch("diagonal", n=1, d=3, sigma=0.9)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "d.json")
        save_params(p, path)
        doc = build(Namespace(params=path, teacher="memoryless", k=3, q=None, exact=True, certificate=False))
    g = [Fraction(float(c)) * Fraction(float(b)) for b, c in zip(p.b[0], p.c[0])]  # c_j b_j exactly, not rounded
    closed = diagonal_linf([Fraction(float(x)) for x in p.lam[0]], g, "memoryless")
    assert closed is not None and doc["models"][0]["exact_value"] == closed.as_text()


def test_register_takes_new_names_only() -> None:
    from tempx.numerics.students import get, protocol, register
    from tempx.numerics.students.dense import DENSE, DenseStudent

    with pytest.raises(InvalidInput, match="a student named 'dense' exists already"):
        register(DENSE)
    with pytest.raises(TypeError, match="register takes a Student instance"):
        register("dense")  # type: ignore[arg-type]

    class Copy(DenseStudent):
        name = "dense-copy-for-a-test"

    fresh = Copy()
    try:
        assert register(fresh) is fresh and get("dense-copy-for-a-test") is fresh
        with pytest.raises(InvalidInput, match="exists already"):
            register(Copy())
    finally:
        protocol._ADDED.pop("dense-copy-for-a-test", None)


def test_students_are_looked_up_by_name_ignoring_case_and_spaces() -> None:
    from tempx.numerics.students import get

    assert get(" Dense ") is get("dense") and get("LRU") is get("lru")
    for bad in (5, None, "lstm"):
        with pytest.raises(InvalidInput, match="unknown student"):
            get(bad)  # type: ignore[arg-type]


def test_the_lru_protocol_init_balances_only_the_symmetric_kind() -> None:
    """get("lru").init("symmetric", …) gives c = conj(b) (|b_j| = |c_j|); "ring" draws c independently."""
    from tempx.numerics.students import get

    lru = get("lru")
    sym = lru.init("symmetric", 2, 3, 0.5, 1)
    assert np.array_equal(sym.c, np.conj(sym.b))  # set as the conjugate: exact
    ring = lru.init("ring", 2, 3, 0.5, 1)
    assert not np.allclose(np.abs(ring.c), np.abs(ring.b))
