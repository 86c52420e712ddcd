r"""The student protocol: what a student must say so that every driver and command can run it.

A linear student is a parameterization θ ↦ w(θ) of an impulse response.  Everything the drivers
need follows from two maps and a flat view of θ:

    responses(p)         w_0, w_1, …  streamed, one (N,) array per step (memory O(N d))
    pullback(p, ρ)       (∂w_{<k}/∂θ)ᵀ ρ for ρ (N, k), as a flat real array (N, P)
    flatten / unflatten  θ as N real vectors of length P (complex parameters: real parts, then
                         imaginary parts), and back

The loss is L = rᵀ W r on r = w − w* (W = diag ω or Σ̂, ``tempx.numerics.losses``), so
∇L = 2 (∂w/∂θ)ᵀ W r: ``loss_and_grad`` is the same for every linear student.  A student whose loss
is not a function of an impulse response (a non-linear RNN) overrides ``loss_and_grad`` and
``responses`` (its response to the unit impulse) and leaves ``pullback`` alone; the drivers only
ever call ``loss_and_grad``, ``flatten``/``unflatten``, ``evaluate``-side maps and ``conserved``.

Beside the maps a student gives its initializations, its conserved quantities (the drift of
which the limit driver reports), a dense realization (for the Hankel spectrum and exact L_∞),
its file forms (JSON and ``.npz``), and, where speed needs it, a compiled GD kernel.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tempx.numerics.students.arrays import json_array
from tempx.numerics.teachers import FloatArray
from tempx.theory.errors import InvalidInput

__all__ = ["LINEAR", "STUDENTS", "Batch", "Kernel", "Student", "check_init", "get", "register", "student_of", "weighted"]

Array = NDArray[Any]


def check_init(n_models: Any, d: Any, sigma: Any, seed: Any) -> tuple[int, int, float, int]:
    """The arguments every initialization takes, validated: N and d >= 1, a seed >= 0, σ > 0 finite."""
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


def weighted(r: FloatArray, W: FloatArray) -> FloatArray:
    """ρ = W r per model for r (N, k): W a vector ω (diagonal weights) or a symmetric k×k matrix Σ̂."""
    return r * W[None, :] if W.ndim == 1 else r @ W


class Batch:
    """What every parameter container shares: N models along the first axis of each field, d along the
    second; arrays validated, frozen (read-only) and owned (never the caller's)."""

    _fields: tuple[str, ...] = ()

    def _freeze(self, arrays: list[Array]) -> None:
        for name, arr in zip(self._fields, arrays):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def n_models(self) -> int:
        return int(getattr(self, self._fields[0]).shape[0])

    @property
    def d(self) -> int:
        return int(getattr(self, self._fields[0]).shape[1])

    def select(self, index: Any) -> Any:
        """The models at ``index`` (an int, slice or index array), as a new batch."""
        idx = np.atleast_1d(np.arange(self.n_models)[index])
        return type(self)(*(getattr(self, f)[idx] for f in self._fields))

    @classmethod
    def stack(cls, batches: list[Any]) -> Any:
        """One batch of the models of several."""
        return cls(*(np.concatenate([getattr(p, f) for p in batches]) for f in cls._fields))


class Kernel:
    """A compiled GD engine of one student: working arrays, one block call, and back to parameters.

    ``available()`` says whether it can run here (numba installed); ``moment``, whether it takes a
    moment matrix Σ̂ (finite data) besides diagonal weights ω.

    ``block(arrays, objective, lr, t_start, n_steps, total, tol, bound, out)`` advances every running
    model (out[m, 0] == 0) by up to ``n_steps`` steps in place (``objective``: ``losses.Objective``); ``out`` (N, 4) holds status (0 running,
    1 converged, 2 max_steps, 3 diverged), steps used, the divergence step and the last loss.
    """

    def __init__(self, available: Callable[[], bool], block: Callable[..., None], arrays: Callable[[Any], list[Array]],
                 params: Callable[[list[Array]], Any], moment: bool) -> None:
        self.available, self.block, self.arrays, self.params, self.moment = available, block, arrays, params, moment
        self.data = False  # True: the kernel trains on the data X, Y of the objective (non-linear students)


class Student:
    """Base class of the students; subclasses fill in the maps (see the module docstring)."""

    name: str
    params_type: type
    inits: tuple[str, ...]  # the first is the default
    fields: tuple[str, ...]  # parameter arrays (the .npz and JSON keys)
    complex_fields: tuple[str, ...] = ()  # fields stored as complex numbers ([re, im] pairs in JSON)
    description: str  # plural, for tables: "linear RNNs"
    kernel: Kernel | None = None  # a compiled GD engine, where speed needs one
    nonlinear = False  # True: the loss is not a function of an impulse response (trains on data only)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickled by name: a worker process gets its own registry's student (the kernels hold closures)."""
        return get, (self.name,)

    def owns(self, params: Any) -> bool:
        """Whether ``params`` are this student's (``students.student_of`` asks every student)."""
        return isinstance(params, self.params_type)

    def objective_loss_and_grad(self, params: Any, obj: Any) -> tuple[FloatArray, FloatArray]:
        """L and the flat ∇L on a ``losses.Objective``: what the GD driver calls.  A linear student reads
        its impulse-response form (w*, W); a non-linear one overrides this and reads the data."""
        return self.loss_and_grad(params, obj.wstar, obj.W)

    # ---- the map θ ↦ w(θ) -------------------------------------------------------------------
    def responses(self, params: Any) -> Iterator[FloatArray]:
        raise NotImplementedError

    def pullback(self, params: Any, rho: FloatArray) -> FloatArray:
        raise NotImplementedError

    def flatten(self, params: Any) -> FloatArray:
        raise NotImplementedError

    def n_params(self, d: int) -> int:
        """P, the length of one model's flat θ at size d (dense and Elman: d² + 2d; what memory estimates use)."""
        return d * d + 2 * d

    def unflatten(self, theta: FloatArray, d: int) -> Any:
        raise NotImplementedError

    # ---- what follows from the map ----------------------------------------------------------
    def impulse_response(self, params: Any, n: int) -> FloatArray:
        """(w_0 … w_{n−1}) per model, (N, n); overflow gives ±inf, never NaN."""
        out = np.empty((params.n_models, n))
        with np.errstate(over="ignore", invalid="ignore"):
            for i, w in zip(range(n), self.responses(params)):
                out[:, i] = w
        return np.where(np.isnan(out), np.inf, out)

    def loss_and_grad(self, params: Any, wstar: FloatArray, W: FloatArray) -> tuple[FloatArray, FloatArray]:
        """L = rᵀ W r (N,) and ∇L = 2 (∂w/∂θ)ᵀ W r as a flat (N, P) array; k = len(w*) (the teacher's
        first k impulse-response terms), W = ω (k,) or Σ̂ (k, k)."""
        r = self.impulse_response(params, wstar.size) - wstar[None, :]
        rho = weighted(r, W)
        return np.einsum("nk,nk->n", r, rho), 2.0 * self.pullback(params, rho)

    def jacobian(self, params: Any, k: int) -> FloatArray:
        """J = ∂(w_0 … w_{k−1})/∂θ (k, P) of one model: k pullbacks of the unit vectors, batched."""
        theta = self.flatten(params)
        many = self.unflatten(np.repeat(theta, k, axis=0), params.d)
        return self.pullback(many, np.eye(k))

    def one_model(self, d: int, k: int, wstar: FloatArray, W: FloatArray) -> Callable[[FloatArray], tuple[float, FloatArray]]:
        """y (P,) ↦ (L, ∇L) for one model: the solver's inner loop (a student may give a faster one)."""

        def loss_grad(y: FloatArray) -> tuple[float, FloatArray]:
            with np.errstate(over="ignore", invalid="ignore"):
                loss, g = self.loss_and_grad(self.unflatten(y[None, :], d), wstar, W)
            return float(loss[0]), g[0]

        return loss_grad

    def frozen_mask(self, params: Any, fields: Any) -> NDArray[np.bool_]:
        """The entries of the flat θ (P,) that belong to ``fields`` (names of this student's fields): the
        parameters every driver keeps at their initial values (``--freeze``).  Found by flattening a model
        whose every entry is its field's number, so it holds for any student's flat layout."""
        names = tuple(fields)
        unknown = [f for f in names if f not in self.fields]
        if unknown:
            raise InvalidInput(f"cannot freeze {', '.join(map(repr, unknown))}: the {self.name} student's fields are "
                               f"{', '.join(self.fields)}")
        one = params.select(0)
        layout: tuple[str, ...] = getattr(self.params_type, "_fields")  # noqa: B009 - a Batch subclass's field order
        marks = [np.full_like(getattr(one, f), i + 1) for i, f in enumerate(layout)]
        if any(np.iscomplexobj(m) for m in marks):
            marks = [m + 1j * m.real if np.iscomplexobj(m) else m for m in marks]
        flat = self.flatten(self.params_type(*marks))[0]
        wanted = [layout.index(f) + 1 for f in names]
        return np.isin(flat, wanted)

    # ---- invariants, geometry, realizations ------------------------------------------------
    def conserved(self, params: Any) -> FloatArray:
        """The quantities gradient flow conserves, (N, m) (m = 0: none)."""
        return np.zeros((params.n_models, 0))

    def norms(self, params: Any) -> dict[str, FloatArray]:
        """‖conserved‖ (reported as Q_norm) and the size of the recurrence (A_norm) per model."""
        raise NotImplementedError

    def to_dense(self, params: Any) -> Any:
        """The same input–output map as a dense real RNN (``students.dense.Params``)."""
        raise NotImplementedError

    # ---- initializations and files --------------------------------------------------------
    def init(self, kind: str, n: int, d: int, sigma: float, seed: int, **options: Any) -> Any:
        raise NotImplementedError

    def arrays(self, params: Any) -> dict[str, Array]:
        """The parameter arrays by field name, batch axis first (the ``.npz`` form)."""
        return {f: np.asarray(getattr(params, f)) for f in self.fields}

    def from_arrays(self, arrays: dict[str, Any]) -> Any:
        """Parameters from arrays by field name, with or without the batch axis."""
        raise NotImplementedError

    def to_json(self, params: Any) -> list[dict[str, Any]]:
        """One JSON object per model, with a ``student`` field (complex entries as [re, im] pairs)."""
        out = []
        for i in range(params.n_models):
            doc: dict[str, Any] = {"student": self.name, "d": int(params.d)}
            for f, a in self.arrays(params).items():
                doc[f] = _jsonable(a[i])
            out.append(doc)
        return out

    def from_json(self, docs: list[dict[str, Any]]) -> Any:
        """The parameters of a list of JSON models of this student (shapes and numbers validated)."""
        per_field: dict[str, list[Array]] = {f: [] for f in self.fields}
        for n, doc in enumerate(docs):
            for f in self.fields:
                if f not in doc:
                    raise InvalidInput(f"model {n} ({self.name} student): missing field {f!r} "
                                       f"(a {self.name} model has {', '.join(self.fields)})")
                a = json_array(doc[f], f"model {n} {f}")
                if f in self.complex_fields:
                    if a.shape[-1] != 2 or a.ndim < 2:
                        raise InvalidInput(f"model {n} {f}: complex entries are [re, im] pairs, got shape {a.shape}")
                    a = a[..., 0] + 1j * a[..., 1]
                per_field[f].append(a)
        return self.from_arrays({f: np.stack(_same_shape(v, f)) for f, v in per_field.items()})


def _same_shape(arrays: list[Array], name: str) -> list[Array]:
    if len({a.shape for a in arrays}) != 1:
        raise InvalidInput(f"all models in one file must have the same shape of {name!r} (the same d)")
    return arrays


def _jsonable(a: Array) -> Any:
    if np.iscomplexobj(a):
        return np.stack([a.real, a.imag], axis=-1).tolist()
    return a.tolist()


# ---- the registry: students by name ---------------------------------------------------------
# Here, beside the protocol, so that pickling a student by name (``Student.__reduce__``) and registering one
# need no import of a module above this one.  Built-in students are modules named by string and imported
# on first use (a plugin table, not an import of this module's dependants).
# name → (module, instance): modules are imported on first use
_REGISTRY = {
    "dense": ("tempx.numerics.students.dense", "DENSE"),
    "diagonal": ("tempx.numerics.students.diagonal", "DIAGONAL"),
    "complex": ("tempx.numerics.students.diagonal", "COMPLEX"),
    "lru": ("tempx.numerics.students.lru", "LRU"),
    "identity": ("tempx.numerics.students.elman", "IDENTITY"),
    "tanh": ("tempx.numerics.students.elman", "TANH"),
    "relu": ("tempx.numerics.students.elman", "RELU"),
}
LINEAR = ("dense", "diagonal", "complex", "lru")  # impulse-response students (every command takes them)
STUDENTS = tuple(_REGISTRY)
_ADDED: dict[str, Any] = {}  # students registered at run time (``register``)


def register(student: Any) -> Any:
    """Make a ``Student`` instance known to the drivers by its ``name`` (a new name; returns the student)."""
    if not isinstance(student, Student):
        raise TypeError(f"register takes a Student instance, got {type(student).__name__}")
    if student.name in _REGISTRY or student.name in _ADDED:
        raise InvalidInput(f"a student named {student.name!r} exists already")
    _ADDED[student.name] = student
    return student


def get(name: Any) -> Any:
    """The student called ``name`` (one of ``STUDENTS``)."""
    key = name.strip().lower() if isinstance(name, str) else name
    if key in _ADDED:
        return _ADDED[key]
    if key not in _REGISTRY:
        raise InvalidInput(f"unknown student {name!r} (allowed: {', '.join((*STUDENTS, *_ADDED))})")
    module, attr = _REGISTRY[key]
    return getattr(importlib.import_module(module), attr)


def student_of(params: Any) -> Any:
    """The student whose parameters ``params`` are (by type; complex diagonal modes: ``complex``)."""
    for name in (*STUDENTS, *_ADDED):
        s = get(name)
        if s.owns(params):
            return s
    raise TypeError(f"not the parameters of a student: {type(params).__name__} (students: {', '.join((*STUDENTS, *_ADDED))})")
