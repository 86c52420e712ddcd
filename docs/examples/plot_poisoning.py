"""
Clean-label poisoning
=====================

Claim C16: a diagonal state-space student with :math:`b = c = 1` frozen, trained on one clean impulse, has a
limit that extrapolates; adding a second, also clean, training sequence of length 2 moves the limit far away
(Slutzky et al.). The baseline limit is exact (a proven bracket); the poisoned one is gradient flow to its limit.
"""

import matplotlib.pyplot as plt

from tempx.numerics.app.poisoning import poisoning_cell

rows = poisoning_cell(k=7, d=10, sigma=1e-3, gap=1.53e-8, seeds=3)  # E10's published setting
for r in rows:
    print(f"seed {r['seed']}: baseline error {r['baseline_error']:.2e}, poisoned error {r['poisoned_error']:.2e}")

fig, ax = plt.subplots(figsize=(6, 3))
seeds = [r["seed"] for r in rows]
ax.semilogy(seeds, [max(r["baseline_error"], 1e-16) for r in rows], "o", label="baseline (one clean sequence)")
ax.semilogy(seeds, [max(r["poisoned_error"], 1e-16) for r in rows], "s", label="poisoned (plus a clean length-2 one)")
ax.set_xlabel("seed")
ax.set_ylabel("relative extrapolation error")
ax.set_xticks(seeds)
ax.legend(fontsize=8)
fig.tight_layout()
