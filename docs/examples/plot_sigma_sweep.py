"""
A σ sweep and its exponent
==========================

At the limit of gradient flow, the extrapolation loss falls as a power of the initialization scale,
:math:`L_q \\propto \\sigma^p` with :math:`p \\approx 2k` for the memoryless teacher (experiment E9). Here a small
sweep: 3 seeds at each of 4 scales, the fitted slope with its bootstrap interval drawn by ``tempx.plot.limit``.
"""

from tempx.numerics.app.experiments import limit_sweep
from tempx.numerics.app.report import exponent_fits
from tempx.plot import limit

k, d = 2, 4
rows = [r for s in (0.1, 0.14, 0.2, 0.28) for r in limit_sweep(d, k, s, seeds=3, experiment="E9")]
fit = exponent_fits(rows)["fits"][0]
print(f"exponent p = {fit['exponent']:.2f}, 95% interval [{fit['ci_low']:.2f}, {fit['ci_high']:.2f}]; 2k = {2 * k}")

fig = limit(rows)
