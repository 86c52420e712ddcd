"""
Train to the limit, then certify
================================

Gradient flow from a small initialization (claim C7) reaches a limit with :math:`L_k \\leq 10^{-28}`; ``certify``
reads its float64 entries as exact rationals and decides :math:`L_\\infty` exactly (claim C14). The figure shows
the exact partial sums :math:`L_q` of the limit against :math:`q`, approaching the proven :math:`L_\\infty`.
"""

import matplotlib.pyplot as plt

import tempx
from tempx.theory.certify import model_from_floats
from tempx.theory.linf import decide

k, d = 3, 4
res = tempx.flow_limit(tempx.init_gaussian(1, d, 0.1, seed=0), tempx.memoryless(k), k, [4 * k])
p = res.params
print("status:", res.status[0], " L_k:", f"{res.train_loss[0]:.2e}")

qs = [k, 2 * k, 3 * k, 4 * k, 6 * k, 8 * k]
decision = decide(model_from_floats(p.A[0], p.B[0], p.C[0]), "memoryless", k, qs)
L = decision.as_dict()
print("L_inf (exact):", L["exact_value"][:60], "...")
print("L_inf in", [L["L_inf"]["lower"], L["L_inf"]["upper"]])

fig, ax = plt.subplots(figsize=(6, 3))
ax.semilogy(qs, [float(decision.L_q[q]) for q in qs], "o-", label="exact $L_q$ of the limit")
ax.axhline(float(L["L_inf"]["upper"]), color="black", ls="--", lw=1, label=r"proven $L_\infty$")
ax.set_xlabel("extrapolation length $q$")
ax.set_ylabel("loss")
ax.legend(fontsize=8)
fig.tight_layout()
