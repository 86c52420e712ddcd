"""Finite training data: n Gaussian input sequences of length k from a seed (claim C8), or the sequences a
user gives (``--sequences FILE``: any lengths, for example the impulses of clean-label poisoning, C16)."""

from __future__ import annotations

import numpy as np

from tempx.numerics.teachers import FloatArray
from tempx.theory.errors import InvalidInput

__all__ = ["MAX_SEQUENCES", "MAX_SEQUENCE_LENGTH", "MAX_SEQUENCE_VALUES", "gaussian_sequences", "read_sequences"]


def gaussian_sequences(n: int, k: int, seed: int) -> FloatArray:
    """X (n, k) with i.i.d. N(0, 1) entries; the seed stream is separate from initializations."""
    if n < 1 or k < 1:
        raise InvalidInput(f"need n >= 1 sequences of length k >= 1, got n = {n}, k = {k}")
    rng = np.random.default_rng([seed, 0xDA7A])  # a distinct stream for data
    return rng.normal(size=(n, k))


MAX_SEQUENCES = 100_000  # sequences in one file
MAX_SEQUENCE_LENGTH = 100_000  # steps of one sequence (the training length is the longest)
MAX_SEQUENCE_VALUES = 10_000_000  # n × (longest length) once padded: 80 MB of float64


def read_sequences(path: str) -> FloatArray:
    """The sequences of a JSON file ``{"sequences": [[x_0, x_1, ...], ...]}`` as X (n, K), K the longest length,
    each sequence left-padded with zeros to K.

    Numbers are JSON numbers or strings as on the command line (``"3/2"``, ``"1e-3"``), taken as float64.  A
    zero prefix changes no last output of a student with h_0 = 0 and φ(0) = 0 (every linear student, and
    Elman students with tanh, relu or identity): the state stays 0 until the sequence starts.  Bounded before
    the arrays exist: the file's bytes and nesting (``tempx.theory.files``), the number of sequences, their
    lengths, and n·K.
    """
    from tempx.theory.exact import parse_rational
    from tempx.theory.files import read_json

    doc = read_json(path, "--sequences file", exact=False)
    if not isinstance(doc, dict) or set(doc) != {"sequences"} or not isinstance(doc["sequences"], list):
        raise InvalidInput(f'--sequences file {path!r} must be an object {{"sequences": [[x_0, x_1, ...], ...]}}')
    seqs = doc["sequences"]
    if not 1 <= len(seqs) <= MAX_SEQUENCES:
        raise InvalidInput(f"--sequences file {path!r} holds {len(seqs)} sequences (allowed: 1 to {MAX_SEQUENCES})")
    for n, s in enumerate(seqs):
        if not isinstance(s, list) or not 1 <= len(s) <= MAX_SEQUENCE_LENGTH:
            got = f"length {len(s)}" if isinstance(s, list) else type(s).__name__
            raise InvalidInput(f"sequence {n} must be a list of 1 to {MAX_SEQUENCE_LENGTH} numbers, got {got}")
    K = max(len(s) for s in seqs)
    if len(seqs) * K > MAX_SEQUENCE_VALUES:
        raise InvalidInput(f"{len(seqs)} sequences padded to the longest length {K} are {len(seqs) * K} values "
                           f"(allowed: at most {MAX_SEQUENCE_VALUES})")
    X = np.zeros((len(seqs), K))
    for n, s in enumerate(seqs):
        for t, x in enumerate(s):
            if isinstance(x, bool) or not isinstance(x, (int, float, str)):
                raise InvalidInput(f"sequence {n}, step {t}: {x!r} is not a number")
            try:
                v = float(x) if isinstance(x, (int, float)) else float(parse_rational(x))
            except InvalidInput as err:
                raise InvalidInput(f"sequence {n}, step {t}: {err}") from None
            except OverflowError:
                raise InvalidInput(f"sequence {n}, step {t}: {str(x)[:40]} is beyond the float64 range") from None
            if not np.isfinite(v):
                raise InvalidInput(f"sequence {n}, step {t}: {x!r} is not a finite float64")
            X[n, K - len(s) + t] = v
    return X
