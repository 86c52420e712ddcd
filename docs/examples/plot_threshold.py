"""
A teacher's exact threshold
===========================

Claim C10: for a teacher with memory, the least student dimension :math:`d_{\\min}(w^*, k)` at which a
counterexample exists (:math:`L_k = 0`, :math:`w \\neq w^*`) is computed exactly. Below it, every student that
fits the teacher on length :math:`k` extrapolates perfectly.
"""

import matplotlib.pyplot as plt

import tempx

teacher = tempx.parse_teacher("atoms:4/5@3/5,-1/2@2/5")  # two atoms on the measure cone M, d* = 2
ks = list(range(1, 11))
d_min = [tempx.threshold(teacher, k).d_min for k in ks]
print("k     :", ks)
print("d_min :", d_min)

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(ks, d_min, "o-", label=r"$d_{\min}(w^*, k)$, exact")
ax.plot(ks, ks, "k--", lw=1, label="$d = k$ (the memoryless teacher's threshold)")
ax.set_xlabel("training length $k$")
ax.set_ylabel("least dimension of a counterexample")
ax.legend(fontsize=8)
fig.tight_layout()
