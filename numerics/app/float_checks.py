"""Float checks that ``tempx verify`` adds to a claim's exact check, where the claim is about gradient flow.

C16: the limit that the conservation law gives (``tempx.theory.poisoning``, a proven bracket) is where gradient
flow itself goes: on seeded instances (k = 4 and a near tie at k = 5) the flow is integrated to L_k ≤ 1e-28 with
b = c = 1 frozen, and its λ must agree with the bracket to 1e-9 relative — the flow's own accuracy (rtol 1e-11
per step, accumulated over a few thousand steps; measured agreement 3e-12 and 2e-11 at seed 0), not a tolerance
of the theory, which is exact.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from tempx.theory.claims.registry import Evidence, draw_seed

__all__ = ["FLOAT_CHECKS", "c16_flow"]

FLOW_RTOL = 1e-9


def c16_flow(seed: int) -> list[Evidence]:
    from tempx.numerics.drivers.limit import flow_limit
    from tempx.numerics.losses import empirical_moment
    from tempx.numerics.students.diagonal import DiagParams
    from tempx.numerics.teachers import teacher_rnn
    from tempx.theory.poisoning import baseline_limit

    rng = random.Random(seed)
    out = []
    for k, d, tie in ((4, 3, False), (5, 4, True)):
        r = np.random.default_rng(draw_seed(rng))
        lam0 = np.sort(r.uniform(0.1, 0.7, size=d))[::-1].copy()
        if tie:
            lam0[1] = lam0[0] - 1e-3
        X = np.zeros((1, k))
        X[0, 0] = 1.0
        p = DiagParams(lam0[None], np.ones((1, d)), np.ones((1, d)))
        res = flow_limit(p, teacher_rnn([[1.0]], [1.0], [1.0]), k, moment=empirical_moment(X), freeze=("b", "c"))
        want = np.array(baseline_limit(list(lam0), k, 1).midpoints())
        got = np.asarray(res.params.lam[0])
        rel = float(np.max(np.abs(got - want) / np.abs(want)))
        out.append(Evidence("the flow's limit agrees with the bracket", f"{rel:.2e} ({res.status[0]})",
                            f"<= {FLOW_RTOL:g} (converged)", rel <= FLOW_RTOL and res.status[0] == "converged", "<=",
                            {"k": k, "d": d, "near_tie": tie}))
    return out


FLOAT_CHECKS: dict[str, Callable[[int], list[Evidence]]] = {"C16": c16_flow}
