"""The learned state dimension: Hankel singular values and numerical rank (C9)."""

from __future__ import annotations

import numpy as np
import pytest

from tempx.numerics.hankel import hankel_rank, hankel_singular_values, hankel_size
from tempx.numerics.students.dense import Params
from tempx.numerics.teachers import teacher_from_spec
from tempx.theory.errors import InvalidInput


def as_params(spec: str) -> Params:
    t = teacher_from_spec(spec)
    return Params(t.A[None], t.B[None], t.C[None])


@pytest.mark.parametrize("spec, rank", [("memoryless", 1), ("atoms:4/5@3/5,-1/2@2/5", 2),
                                        ("atoms:4/5@1/2,-1/2@3/10,1/5@1/5", 3), ("oscillating:3/5:3/5", 2),
                                        ("delay:2", 3), ("impulse:0", 0)])
def test_rank_of_exact_teachers(spec: str, rank: int) -> None:
    sv = hankel_singular_values(as_params(spec), hankel_size(max(rank, 1)))
    assert hankel_rank(sv).tolist() == [rank]


def test_one_spurious_state_is_seen() -> None:
    A = np.array([[[0.5, 0], [0, -0.5]]] * 2)
    both = Params(A, np.ones((2, 2, 1)), np.array([[[1.0, 0.01]], [[1.0, 0.0]]]))  # a second atom of weight 1e-2, or none
    assert hankel_rank(hankel_singular_values(both, hankel_size(1))).tolist() == [2, 1]


def test_diverged_models_have_rank_minus_one() -> None:
    p = Params(np.array([[[1e200]]]), np.array([[[1.0]]]), np.array([[[1.0]]]))
    sv = hankel_singular_values(p, 3)
    assert np.all(np.isinf(sv)) and hankel_rank(sv).tolist() == [-1]


def test_validation() -> None:
    with pytest.raises(InvalidInput):
        hankel_singular_values(as_params("memoryless"), 0)
    with pytest.raises(InvalidInput, match="1 … 4096"):  # refused before the impulse response is computed
        hankel_singular_values(as_params("memoryless"), 10**9)
    with pytest.raises(InvalidInput):
        hankel_rank(np.ones((1, 2)), rel_tol=1.0)


def test_the_hankel_size_is_2_d_star_plus_2() -> None:
    """m = 2d* + 2 (docs and C9): at least 2d*, plus room to see one spurious state; d* = 0 counts as 1."""
    assert [hankel_size(d) for d in (0, 1, 2, 5)] == [4, 4, 6, 12]


def test_only_the_terms_the_matrix_holds_decide_divergence() -> None:
    """a = 1e100: w_i = 10^{100 i}, finite up to w_3; the 2×2 Hankel matrix holds w_0 … w_2 only, so its
    singular values are finite (≈ 1e200 and ≈ 0), while the 3×3 one needs w_4 = inf and is reported diverged."""
    p = Params(np.full((1, 1, 1), 1e100), np.ones((1, 1, 1)), np.ones((1, 1, 1)))
    sv = hankel_singular_values(p, 2)
    assert np.all(np.isfinite(sv)) and sv[0, 0] == pytest.approx(1e200, rel=1e-12)
    assert np.all(np.isinf(hankel_singular_values(p, 3)))
