"""Initializations of a batch of N linear RNNs, each from an explicit seed.

All randomness comes from ``numpy.random.default_rng(seed)``; no global random state.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tempx.numerics.students.dense import Params
from tempx.theory.counterexamples import counterexample
from tempx.theory.errors import InvalidInput
from tempx.theory.exact import parse_rational

__all__ = [
    "init_counterexample",
    "init_diagonal",
    "init_gaussian",
    "init_ring",
    "init_symmetric",
    "load_params",
    "params_to_json",
    "save_params",
]


def _check(n_models: Any, d: Any, sigma: Any, seed: Any) -> tuple[int, int, float, int]:
    for name, v in (("n_models", n_models), ("d", d), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {type(v).__name__}")
    if n_models < 1 or d < 1:
        raise InvalidInput(f"n_models and d must be >= 1, got n_models = {n_models}, d = {d}")
    if seed < 0:
        raise InvalidInput(f"seed must be >= 0, got {seed}")
    s = float(sigma)
    if not np.isfinite(s) or s <= 0:
        raise InvalidInput(f"sigma must be > 0 and finite, got {sigma!r}")
    return int(n_models), int(d), s, int(seed)


def init_gaussian(n_models: int, d: int, sigma: float, seed: int) -> Params:
    """Entries of A, B, C i.i.d. N(0, σ²/d) (claim C7's initialization)."""
    n, d, s, seed = _check(n_models, d, sigma, seed)
    rng = np.random.default_rng(seed)
    scale = s / np.sqrt(d)
    return Params(rng.normal(0, scale, (n, d, d)), rng.normal(0, scale, (n, d, 1)), rng.normal(0, scale, (n, 1, d)))


def _signs(rng: np.random.Generator, n: int, d: int, negative_fraction: float) -> np.ndarray:
    """Sign pattern per model: round(f·d) modes at −1, placed at random, the rest +1."""
    f = float(negative_fraction)
    if not 0 <= f <= 1:
        raise InvalidInput(f"negative_fraction must lie in [0, 1], got {negative_fraction!r}")
    m = round(f * d)
    s = np.ones((n, d))
    for i in range(n):
        s[i, rng.permutation(d)[:m]] = -1.0
    return s


def init_diagonal(n_models: int, d: int, sigma: float, seed: int, *, complex_modes: bool = False,
                  balanced: bool = False, negative_fraction: float = 0.0) -> Any:
    """Diagonal students (C12): every entry of λ, b, c i.i.d. N(0, σ²/d) (complex: real and imaginary
    parts each N(0, σ²/(2d))).

    ``balanced``: c = s ⊙ b (real) with a sign pattern s of round(f·d) negative modes
    (f = ``negative_fraction``), or c = conj(b) (complex, |b_j| = |c_j| and b_j c_j = |b_j|² > 0).
    All signs + is M ∩ diagonal.
    """
    from tempx.numerics.students.diagonal import DiagParams

    n, d, s, seed = _check(n_models, d, sigma, seed)
    rng = np.random.default_rng(seed)
    scale = s / np.sqrt(d)

    def draw() -> np.ndarray:
        if complex_modes:
            return rng.normal(0, scale / np.sqrt(2), (n, d)) + 1j * rng.normal(0, scale / np.sqrt(2), (n, d))
        return rng.normal(0, scale, (n, d))

    lam, b = draw(), draw()
    if not balanced:
        return DiagParams(lam, b, draw())
    if complex_modes:
        if negative_fraction:
            raise InvalidInput("a sign pattern is for real diagonal students; complex balanced modes use c = conj(b)")
        return DiagParams(lam, b, np.conj(b))
    return DiagParams(lam, b, _signs(rng, n, d, negative_fraction) * b)


def init_ring(n_models: int, d: int, sigma: float, seed: int, r_min: float = 0.4, r_max: float = 0.9) -> Any:
    """Complex diagonal students with the LRU ring initialization: |λ_j| uniform in [r_min, r_max],
    arg λ_j uniform in [0, 2π); b, c complex N(0, σ²/d)."""
    from tempx.numerics.students.diagonal import DiagParams

    n, d, s, seed = _check(n_models, d, sigma, seed)
    lo, hi = float(r_min), float(r_max)
    if not (0 <= lo <= hi) or not np.isfinite(hi):
        raise InvalidInput(f"the ring needs 0 <= r_min <= r_max < inf, got r_min = {r_min}, r_max = {r_max}")
    rng = np.random.default_rng(seed)
    lam = rng.uniform(lo, hi, (n, d)) * np.exp(2j * np.pi * rng.uniform(0, 1, (n, d)))
    scale = s / np.sqrt(2 * d)
    b = rng.normal(0, scale, (n, d)) + 1j * rng.normal(0, scale, (n, d))
    c = rng.normal(0, scale, (n, d)) + 1j * rng.normal(0, scale, (n, d))
    return DiagParams(lam, b, c)


def init_symmetric(n_models: int, d: int, sigma: float, seed: int, frobenius_cap: float | None = None) -> Params:
    """A point of M (A = Aᵀ, C = Bᵀ): A = (G + Gᵀ)/√2 with G ~ N(0, σ²/d), B ~ N(0, σ²/d), C = Bᵀ.

    With ``frobenius_cap``, each A is rescaled so that ‖A‖_F ≤ cap (C6(c) uses cap ≤ 1).
    """
    n, d, s, seed = _check(n_models, d, sigma, seed)
    rng = np.random.default_rng(seed)
    scale = s / np.sqrt(d)
    G = rng.normal(0, scale, (n, d, d))
    A = (G + G.transpose(0, 2, 1)) / np.sqrt(2.0)
    if frobenius_cap is not None:
        cap = float(frobenius_cap)
        if not np.isfinite(cap) or cap <= 0:
            raise InvalidInput(f"frobenius_cap must be > 0, got {frobenius_cap!r}")
        norms = np.linalg.norm(A, axis=(1, 2))
        A = A * np.minimum(1.0, cap / np.maximum(norms, np.finfo(float).tiny))[:, None, None]
    B = rng.normal(0, scale, (n, d, 1))
    return Params(A, B, B.transpose(0, 2, 1))


def init_counterexample(
    n_models: int, k: int, d: int | None = None, c: Any = 1, perturb: float = 0.0, seed: int = 0, disguise: int | None = None
) -> Params:
    """N copies of the exact C2 counterexample (as floats), optionally plus N(0, perturb²) noise."""
    ce = counterexample(k, d=d, c=c, disguise=disguise)
    mats = ce.rnn.as_lists()
    if perturb < 0 or not np.isfinite(perturb):
        raise InvalidInput(f"perturb must be >= 0, got {perturb}")
    rng = np.random.default_rng(seed)
    out = []
    for name in "ABC":
        base = np.array([[float(x) for x in r] for r in mats[name]])
        out.append(np.broadcast_to(base, (n_models, *base.shape)) + perturb * rng.normal(size=(n_models, *base.shape)))
    return Params(*out)


def _number(x: Any, where: str) -> float:
    if isinstance(x, bool):
        raise InvalidInput(f"{where}: expected a number, got {x!r}")
    if isinstance(x, str) and x.strip() in ("NaN", "Infinity", "-Infinity"):
        raise InvalidInput(f"{where}: non-finite value {x!r}")
    try:
        if isinstance(x, float):
            v = x
        elif isinstance(x, (int, str)):
            v = float(parse_rational(x))
        else:
            raise InvalidInput(f"{where}: expected a number or a rational string, got {type(x).__name__}")
    except OverflowError:
        raise InvalidInput(f"{where}: {str(x)[:40]!r} is beyond the float64 range (±1.8e308)") from None
    except InvalidInput as err:
        raise InvalidInput(f"{where}: {err}") from None
    if not np.isfinite(v):
        raise InvalidInput(f"{where}: non-finite value {x!r}")
    return v


def _matrix(doc: dict[str, Any], name: str, shape: tuple[int, int]) -> np.ndarray:
    rows = doc.get(name)
    if not isinstance(rows, list) or len(rows) != shape[0] or not all(isinstance(r, list) and len(r) == shape[1] for r in rows):
        raise InvalidInput(f"'{name}' must be a {shape[0]}×{shape[1]} nested list")
    return np.array([[_number(x, f"{name}[{i}][{j}]") for j, x in enumerate(r)] for i, r in enumerate(rows)])


def params_from_json(doc: Any) -> Params:
    """One model, or a list of models, in the schema of ``tempx counterexample --format json``."""
    docs = doc if isinstance(doc, list) else [doc]
    if not docs:
        raise InvalidInput("the parameter file holds no model")
    mats = []
    for m in docs:
        if not isinstance(m, dict) or "A" not in m:
            raise InvalidInput("each model must be an object with keys A (d×d), B (d×1), C (1×d)")
        A = m["A"]
        d = len(A) if isinstance(A, list) else 0
        if d < 1:
            raise InvalidInput("'A' must be a non-empty d×d nested list")
        mats.append((_matrix(m, "A", (d, d)), _matrix(m, "B", (d, 1)), _matrix(m, "C", (1, d))))
    if len({a.shape for a, _, _ in mats}) != 1:
        raise InvalidInput("all models in one file must have the same dimension d")
    return Params(*(np.stack([m[i] for m in mats]) for i in range(3)))


def read_params_json(path: str | Path) -> Any:
    """The JSON document of a parameter file, or ``InvalidInput`` naming why it cannot be read."""
    from tempx.theory.files import read_json

    # floats stay floats: a float64 entry is the model (certify takes it as the dyadic rational it is)
    return read_json(path, "parameter file", exact=False)


def load_params(path: str | Path) -> Params:
    """Read parameters from a JSON file (exact rational strings or floats)."""
    return params_from_json(read_params_json(path))


def params_to_json(params: Params) -> list[dict[str, Any]]:
    """A list of models {"d", "A", "B", "C"} with float entries (the init-file schema)."""
    return [
        {"d": params.d, "A": params.A[i].tolist(), "B": params.B[i].tolist(), "C": params.C[i].tolist()}
        for i in range(params.n_models)
    ]


def save_params(params: Params, path: str | Path) -> None:
    """Write ``params_to_json`` atomically (temporary file, then rename)."""
    from tempx.numerics.app.io import write_text_atomic

    write_text_atomic(Path(path), json.dumps(params_to_json(params), indent=1))
