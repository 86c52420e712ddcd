"""
A counterexample and its certificate
====================================

Claim C2: for the memoryless teacher :math:`y_t = x_t` and any training length :math:`k`, some linear RNN of
dimension :math:`k` has training loss :math:`L_k = 0` exactly and still fails to extrapolate. ``certify`` then
decides its :math:`L_\\infty` exactly: infinite, proven by a root of the minimal polynomial on the unit circle
(with a gain :math:`|c| < 1` in place of 1 it would be a finite rational).
"""

import matplotlib.pyplot as plt

import tempx
from tempx.theory.linf import decide

k = 4
ce = tempx.counterexample(k, c="1")  # w_{jk} = 1 for every j: fits w* on i < k, then repeats
w = [float(x) for x in ce.rnn.impulse_response(4 * k)]
print("impulse response:", [str(x) for x in ce.rnn.impulse_response(2 * k + 1)])
print("L_k =", tempx.loss(ce.rnn, None, k), " L_{k+1} =", tempx.loss(ce.rnn, None, k + 1))

decision = decide(ce.rnn, "memoryless", k, [2 * k])
print("L_inf:", decision.as_dict()["L_inf"]["reason"])

fig, ax = plt.subplots(figsize=(6, 3))
ax.stem(range(len(w)), w, basefmt=" ", label="student $w_i$")
ax.plot([0], [1], "x", color="black", ms=10, label="teacher $w^*_0 = 1$ (all later $w^*_i = 0$)")
ax.axvspan(-0.5, k - 0.5, alpha=0.15, label=f"training window $i < k = {k}$")
ax.set_xlabel("$i$")
ax.set_ylabel("impulse response")
ax.legend(fontsize=8)
fig.tight_layout()
