from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tempx import theory
from tempx.numerics.students.dense import impulse_response
from tempx.numerics.students.files import load_params, save_params
from tempx.numerics.students.init import init_counterexample, init_gaussian, init_symmetric
from tempx.theory.errors import InvalidInput


def test_gaussian_scale_and_seeds() -> None:
    p = init_gaussian(200, 20, 0.5, seed=1)
    assert p.A.shape == (200, 20, 20) and p.B.shape == (200, 20, 1) and p.C.shape == (200, 1, 20)
    scale = 0.5 / np.sqrt(20)  # N(0, σ²/d): A has 80 000 entries, B and C 4 000 each
    for M, n in ((p.A, 80_000), (p.B, 4_000), (p.C, 4_000)):
        # centred: the sample mean has standard error scale/√n (4e-4 for A, 1.8e-3 for B, C); 6 of them bound it
        assert abs(np.mean(M)) < 6 * scale / np.sqrt(n)
        assert np.std(M) == pytest.approx(scale, rel=0.05)  # the sample std's relative error: 1/√(2n) <= 1.1%
    assert np.array_equal(init_gaussian(3, 4, 0.5, 9).A, init_gaussian(3, 4, 0.5, 9).A)
    assert not np.array_equal(init_gaussian(3, 4, 0.5, 9).A, init_gaussian(3, 4, 0.5, 10).A)


def test_symmetric_is_on_M_and_capped() -> None:
    p = init_symmetric(50, 6, 2.0, seed=0, frobenius_cap=0.9)
    assert np.array_equal(p.A, p.A.transpose(0, 2, 1)) and np.array_equal(p.C, p.B.transpose(0, 2, 1))
    assert np.all(np.linalg.norm(p.A, axis=(1, 2)) <= 0.9 + 1e-12)
    assert np.allclose(p.q_matrix(), 0)


def test_counterexample_init_has_the_exact_impulse_response() -> None:
    p = init_counterexample(2, 3, d=5, c="3/2", disguise=2)
    exact = [float(w) for w in theory.counterexample(3, d=5, c="3/2").rnn.impulse_response(10)]
    assert np.allclose(impulse_response(p, 10), exact, rtol=1e-12, atol=1e-12)
    noisy = init_counterexample(2, 3, perturb=0.1, seed=0)
    assert not np.array_equal(noisy.A[0], noisy.A[1])
    plain = init_counterexample(2, 3)  # the default perturbation is none: every model is the exact one, rounded
    mats = theory.counterexample(3).rnn.as_lists()
    for name in "ABC":
        exact = np.array([[float(x) for x in r] for r in mats[name]])
        assert np.array_equal(getattr(plain, name)[0], exact) and np.array_equal(getattr(plain, name)[1], exact)


def test_ring_phases_cover_the_circle_and_radii_the_ring() -> None:
    """init_ring: arg λ uniform on [0, 2π) (every quadrant, mean of e^{iφ} near 0) and |λ| in [r_min, r_max];
    4000 modes: the mean of e^{iφ} has standard error 1/√8000 ≈ 0.011, so |mean| < 0.06 fails with
    probability below 1e-6 for a uniform phase, while phases in [0, 2/π) give |mean| > 0.9."""
    from tempx.numerics.students.init import init_lru, init_ring

    for lam in (init_ring(400, 10, 0.5, 3, 0.3, 0.8).lam, init_lru(400, 10, 0.5, 3, 0.3, 0.8).lam):
        phase = np.angle(lam) % (2 * np.pi)
        assert abs(np.mean(np.exp(1j * phase))) < 0.06
        assert all(np.any((phase >= q * np.pi / 2) & (phase < (q + 1) * np.pi / 2)) for q in range(4))
        r = np.abs(lam)
        assert r.min() >= 0.3 - 1e-12 and r.max() <= 0.8 + 1e-12 and r.max() - r.min() > 0.4


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    p = init_gaussian(3, 4, 0.5, seed=2)
    save_params(p, tmp_path / "p.json")
    q = load_params(tmp_path / "p.json")
    assert all(np.array_equal(getattr(p, m), getattr(q, m)) for m in "ABC")


def test_load_accepts_counterexample_json_with_exact_strings(tmp_path: Path) -> None:
    doc = {"A": [["0", "3/2"], ["1", "0"]], "B": [["1"], ["0"]], "C": [["1", "0"]]}
    (tmp_path / "ce.json").write_text(json.dumps(doc))
    p = load_params(tmp_path / "ce.json")
    assert p.A[0, 0, 1] == 1.5 and p.n_models == 1


@pytest.mark.parametrize(
    "content, match",
    [("{", "not valid JSON"), ("[]", "no model"), ('{"A": [[1]], "B": [[1]]}', "'C' must be"),
     ('{"A": [[1, 2]], "B": [[1]], "C": [[1]]}', "'A' must be"), ('{"A": [[1]], "B": [[1]], "C": [["nan"]]}', "not an exact rational number"), ('{"A": [[1]], "B": [[1]], "C": [[1e400]]}', "non-finite"),
     ('{"A": [[1]], "B": [[1]], "C": [[true]]}', "expected a number"),
     ('[{"A": [[1]], "B": [[1]], "C": [[1]]}, {"A": [[1,0],[0,1]], "B": [[1],[1]], "C": [[1,1]]}]', "same dimension")],
)
def test_malformed_parameter_files(tmp_path: Path, content: str, match: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    with pytest.raises(InvalidInput, match=match):
        load_params(tmp_path / "bad.json")


@pytest.mark.parametrize("kwargs", [{"n_models": 0}, {"d": 0}, {"sigma": 0}, {"sigma": float("inf")}, {"seed": -1}])
def test_bad_init_arguments(kwargs: dict) -> None:
    args = {"n_models": 2, "d": 3, "sigma": 0.5, "seed": 0, **kwargs}
    with pytest.raises(InvalidInput):
        init_gaussian(**args)


@pytest.mark.parametrize("cap", [0, -1, float("inf"), float("nan")])
def test_frobenius_cap_must_be_positive_and_finite(cap: float) -> None:
    with pytest.raises(InvalidInput, match="frobenius_cap must be > 0"):
        init_symmetric(1, 3, 0.5, 0, frobenius_cap=cap)


def test_frobenius_cap_only_shrinks() -> None:
    small = init_symmetric(4, 3, 0.01, 0)
    assert np.array_equal(init_symmetric(4, 3, 0.01, 0, frobenius_cap=10.0).A, small.A)


@pytest.mark.parametrize("kwargs, match", [({"n_models": 0}, "n_models and d must be >= 1"),
                                           ({"d": 0}, "n_models and d must be >= 1"),
                                           ({"sigma": -1.0}, "sigma must be > 0"),
                                           ({"seed": -1}, "seed must be >= 0")])
def test_init_messages(kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        init_symmetric(**{"n_models": 1, "d": 3, "sigma": 0.5, "seed": 0, **kwargs})


def test_symmetric_draws_are_centred_with_the_stated_scale() -> None:
    # A = (G + Gᵀ)/√2 with G ~ N(0, σ²/d): off-diagonal entries N(0, σ²/d), diagonal N(0, 2σ²/d); B ~ N(0, σ²/d).
    # 200 models of d = 20: the means within 5 standard errors of 0, the scales within 3%
    p = init_symmetric(200, 20, 0.5, seed=3)
    s2 = 0.25 / 20
    off = p.A[:, ~np.eye(20, dtype=bool)]
    diag = p.A[:, np.eye(20, dtype=bool)]
    assert abs(off.mean()) < 5 * np.sqrt(s2 / (off.size / 2)) and abs(p.B.mean()) < 5 * np.sqrt(s2 / p.B.size)
    assert off.var() == pytest.approx(s2, rel=0.03) and diag.var() == pytest.approx(2 * s2, rel=0.1)
    assert p.B.var() == pytest.approx(s2, rel=0.05)


def test_json_arrays_are_rectangular_and_at_most_max_depth_levels() -> None:
    from tempx.numerics.students.files import json_array

    assert json_array([[[1, 2]], [[3, 4]]], "x").shape == (2, 1, 2)  # three levels: allowed
    with pytest.raises(InvalidInput, match=r"at most 3 levels"):
        json_array([[[[1]]]], "x")
    with pytest.raises(InvalidInput, match=r"at most 2 levels"):
        json_array([[[1]]], "x", max_depth=2)
    with pytest.raises(InvalidInput, match="rows of different lengths"):
        json_array([[1, 2], [3]], "x")


def test_lru_init_ring_balance_and_its_bounds() -> None:
    """|λ_j| = exp(−e^ν) lies in [r_min, r_max], θ in [0, 2π); ``balanced`` gives c = conj(b) (|b_j| = |c_j|, the
    C12b balance), otherwise c is drawn on its own; r_max ≥ 1 (not stable) and r_min ≤ 0 are refused."""
    from tempx.numerics.students.init import init_lru

    p = init_lru(3, 5, 0.7, 2, 0.4, 0.9)
    assert np.all((0.4 <= np.abs(p.lam)) & (np.abs(p.lam) <= 0.9)) and np.all((0 <= p.theta) & (p.theta < 2 * np.pi))
    assert not np.allclose(np.abs(p.b), np.abs(p.c))
    q = init_lru(3, 5, 0.7, 2, 0.4, 0.9, balanced=True)
    np.testing.assert_array_equal(q.c, np.conj(q.b))
    for lo, hi in ((0.4, 1.0), (0.4, 1.5), (0.0, 0.5), (0.6, 0.5)):
        with pytest.raises(InvalidInput, match="0 < r_min <= r_max < 1"):
            init_lru(1, 2, 0.5, 0, lo, hi)


def test_lru_init_draws_b_and_c_at_the_stated_scale() -> None:
    """b, c complex with real and imaginary parts each N(0, σ²/(2d)): over 200 models of d = 50 the sample
    deviations are within 5% of σ/√(2d) (10 000 draws each: the standard error of a deviation is 0.7%)."""
    from tempx.numerics.students.init import init_lru

    p = init_lru(200, 50, 0.8, 3)
    want = 0.8 / np.sqrt(100)
    for part in (p.b.real, p.b.imag, p.c.real, p.c.imag):
        assert abs(part.std() / want - 1) < 0.05 and abs(part.mean()) < 0.05 * want


def test_the_counterexample_init_perturbs_by_perturb_times_a_standard_normal() -> None:
    """init_counterexample: the exact counterexample plus perturb · N(0, 1) per entry (2 000 models × 4 entries of A:
    the sample std of the perturbation is within 5% of perturb, and its mean within 6 standard errors of 0)."""
    base = init_counterexample(1, 2, perturb=0.0)
    p = init_counterexample(2000, 2, perturb=1e-3, seed=4)
    delta = p.A - base.A
    assert np.std(delta) == pytest.approx(1e-3, rel=0.05)
    assert abs(np.mean(delta)) < 6 * 1e-3 / np.sqrt(delta.size)


@pytest.mark.parametrize("bad", [True, 1.0, "1", None])
def test_counts_and_seeds_must_be_ints(bad: object) -> None:
    for kwargs in ({"n_models": bad, "d": 2, "seed": 0}, {"n_models": 1, "d": bad, "seed": 0}, {"n_models": 1, "d": 2, "seed": bad}):
        with pytest.raises(TypeError, match="must be an int"):
            init_gaussian(kwargs["n_models"], kwargs["d"], 0.5, kwargs["seed"])  # type: ignore[arg-type]
    assert init_gaussian(np.int64(1), np.int32(2), 0.5, np.uint8(3)).A.shape == (1, 2, 2)  # numpy integers are ints
