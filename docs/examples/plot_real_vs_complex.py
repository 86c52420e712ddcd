"""
Real versus complex parameters
==============================

Claim C17: a complex diagonal student fits any target on a horizon :math:`t` with a modest budget
:math:`G = \\sum_j |c_j b_j|`, while a real one needs a budget exponential in the target's frequency. The
certified frontier :math:`E(G)` bounds the best normalized error any real diagonal student of budget
:math:`G` can reach (a proven lower bound, and a student that attains the upper bound).
"""

from tempx.numerics.frontier import frontier
from tempx.plot import frontier as plot_frontier

t = 16
delay = [0] * t
delay[7] = 1  # the delay e_7
points = frontier(delay, [0.25, 1, 4, 16, 64, 256])
for p in points:
    print(f"G = {float(p.budget):7g}: {float(p.lower):.4f} <= E(G) <= {float(p.upper):.4f}")

fig = plot_frontier(points, target="delay $e_7$", horizon=t)
