r"""What a run of a real diagonal student spent, and the floor that puts under its loss (claim C17 (d), (e)).

Every real diagonal model has a budget :math:`G = \sum_j |c_j b_j|` and nodes in :math:`[-\rho, \rho]`,
:math:`\rho = \max_j |\lambda_j|`; the frontier (``tempx.numerics.frontier``) gives a proven floor of its training
loss :math:`L_k \ge \|w^*_{<k}\|^2 E(G)` whatever trained it.  For Adam, C17 (e) bounds G and ρ before the run from
its step sizes alone: :math:`|b_j|, |c_j| \le r_0 + F\sum_s \eta_s` and :math:`|\lambda_j| \le |\lambda_j(0)| + F\sum_s\eta_s`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from tempx.theory.adam_bound import budget_bound, step_factor

__all__ = ["MAX_FLOORS", "budget_lines", "budget_report", "floor"]

MAX_FLOORS = 8  # models whose measured floor is computed (about 0.1–0.5 s each at k ≤ 64)
MAX_RHO = 2.0  # the frontier's largest node radius


def floor(wstar: Any, G: float, rho: float) -> float | None:
    """A proven lower bound of L_k for any real student with budget ≤ G and nodes in [−ρ, ρ] (None: ρ > 2, k > 512)."""
    from tempx.numerics.frontier import MAX_HORIZON, frontier
    from tempx.theory.certify import round_down

    target = [Fraction(float(x)) for x in wstar]
    if rho > MAX_RHO or not any(target) or len(target) > MAX_HORIZON:
        return None  # no floor computed (reported as none), never an error after the run
    [point] = frontier(target, [Fraction(G)], rho=max(1.0, rho), normalize=False)
    return round_down(point.lower * sum(x * x for x in target))


def budget_report(params0: Any, params: Any, teacher: Any, k: int, lr: float, steps: int, optimizer: Any,
                  freeze: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The measured G, ρ and floor of each model (the first ``MAX_FLOORS``) and, for Adam, C17 (e)'s a-priori bound;
    None for any student but the real diagonal one."""
    if getattr(params, "is_complex", True) or type(params).__name__ != "DiagParams":
        return None
    wstar = teacher.impulse_response(k)
    models = []
    for i in range(min(params.n_models, MAX_FLOORS)):
        G = float(np.sum(np.abs(params.c[i] * params.b[i])))
        rho = float(np.max(np.abs(params.lam[i])))
        models.append({"model": i, "G": G, "rho": rho,
                       "floor": floor(wstar, G * (1 + 1e-12), rho * (1 + 1e-15)) if np.isfinite(G) else None})
    doc: dict[str, Any] = {"target_norm2": float(np.sum(wstar**2)), "models": models}
    if optimizer.name == "adam":
        S = optimizer.lr_sum(lr, steps)
        F = float(step_factor(optimizer.beta1, optimizer.beta2))
        r0 = float(max(np.max(np.abs(params0.b)), np.max(np.abs(params0.c))))
        G_max = float(budget_bound(params0.d, r0, S, optimizer.beta1, optimizer.beta2))
        lam0 = float(np.max(np.abs(params0.lam)))
        rho_max = lam0 if "lam" in freeze else lam0 + F * S
        doc["adam"] = {"step_factor": F, "lr_sum": S, "r0": r0, "G_max": G_max, "rho_max": rho_max,
                       "floor": floor(wstar, G_max, rho_max)}
    return doc


def budget_lines(doc: dict[str, Any], k: int) -> str:
    """The text report of ``budget_report``."""
    lines = [(f"budget G = sum |c_j b_j| and floor of L_{k} for any real student with that budget and nodes in "
             "[-rho, rho] (claim C17 (d); proven):")]
    for m in doc["models"]:
        fl = "— (rho > 2)" if m["floor"] is None else f"{m['floor']:.4e}"
        lines.append(f"  model {m['model']}: G = {m['G']:.4g}, rho = {m['rho']:.4g}, floor {fl}")
    a = doc.get("adam")
    if a is not None:
        fl = "none proven (the nodes may leave [-2, 2])" if a["floor"] is None else f"L_{k} >= {a['floor']:.4e}"
        lines.append(f"Adam's step bound (C17 (e)): every coordinate moves <= {a['step_factor']:.4f}·eta_s a step, sum eta_s "
                     f"= {a['lr_sum']:.4g}: G <= {a['G_max']:.4g}, |lambda| <= {a['rho_max']:.4g}; floor before the run: {fl}")
    return "\n".join(lines)
