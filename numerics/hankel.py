"""The learned state dimension: singular values and numerical rank of the impulse response's Hankel matrix.

A sequence has linear complexity n iff its infinite Hankel matrix H_{ab} = w_{a+b} has rank n
(Kronecker), and an m×m section with m ≥ 2n sees it.  For a trained student, w is only close
to a low-complexity sequence, so the rank is numerical: the number of singular values above
``rel_tol`` times the largest one (SPEC C9: "the learned impulse response has numerical Hankel
rank n").
"""

from __future__ import annotations

import numpy as np

from tempx.numerics.students.dense import Params, impulse_response
from tempx.numerics.teachers import FloatArray
from tempx.theory.budget import check_memory
from tempx.theory.errors import InvalidInput

__all__ = ["HANKEL_REL_TOL", "MAX_HANKEL_SIZE", "hankel_rank", "hankel_singular_values", "hankel_size"]

# Relative tolerance of the numerical rank.  A model trained to L_k ≈ 1e-9 carries errors of
# about 3e-5 in w; 1e-3 sits well above that and well below the teachers' own singular values
# (the smallest nonzero normalized Hankel singular value of the E5/E6 teachers is 2.2e-2).
HANKEL_REL_TOL = 1e-3
# The largest Hankel section: its SVD is O(m³) per model (m = 4096 takes about a minute) and the stack N·m² floats.
MAX_HANKEL_SIZE = 4096


def hankel_size(teacher_dim: int) -> int:
    """m = 2d* + 2: at least 2d* as C9 asks, plus room to see one spurious state."""
    return 2 * max(teacher_dim, 1) + 2


def hankel_singular_values(params: Params, m: int) -> FloatArray:
    """Singular values, largest first, of the m × m Hankel matrix of w_0 … w_{2m−2}, per model.

    Non-finite impulse responses (diverged models) give rows of +inf (never NaN).

    Parameters
    ----------
    params : Params
        A dense batch.
    m : int
        Size of the Hankel matrix, m ≥ 1.

    Returns
    -------
    ndarray
        (N, m).

    Raises
    ------
    InvalidInput
        For m outside 1 … ``MAX_HANKEL_SIZE``, or a stack of N m × m matrices over the memory limit
        (``tempx.theory.budget``), checked before any work.
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or not 1 <= m <= MAX_HANKEL_SIZE:
        raise InvalidInput(f"the Hankel size m must be an integer in 1 … {MAX_HANKEL_SIZE}, got {m!r}")
    check_memory(f"the Hankel matrices of {params.n_models} models at m = {m}", 8.0 * params.n_models * (2 * m * m + 2 * m))
    w = impulse_response(params, 2 * m - 1)
    idx = np.add.outer(np.arange(m), np.arange(m))
    out = np.full((params.n_models, m), np.inf)
    ok = np.all(np.isfinite(w), axis=1)
    if np.any(ok):
        out[ok] = np.linalg.svd(w[ok][:, idx], compute_uv=False)
    return out


def hankel_rank(singular_values: FloatArray, rel_tol: float = HANKEL_REL_TOL) -> np.ndarray:
    """The numerical rank of each model's Hankel matrix: its learned state dimension.

    Parameters
    ----------
    singular_values : ndarray
        (N, m), from ``hankel_singular_values``.
    rel_tol : float, default 1e-3
        A singular value counts when it is above rel_tol × the largest.

    Returns
    -------
    ndarray of int
        (N,): the rank; 0 for an all-zero response, −1 if not finite.

    Raises
    ------
    InvalidInput
        For rel_tol outside (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> hankel_rank(np.array([[1.0, 0.1, 1e-6], [0.0, 0.0, 0.0]]))
    array([2, 0])
    """
    if not (0 < rel_tol < 1):
        raise InvalidInput(f"rel_tol must lie in (0, 1), got {rel_tol}")
    sv = np.asarray(singular_values, dtype=np.float64)
    top = sv[:, :1]
    finite = np.all(np.isfinite(sv), axis=1)
    with np.errstate(invalid="ignore"):
        rank = np.sum(sv > rel_tol * top, axis=1)
    return np.where(finite, rank, -1)
