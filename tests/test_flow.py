"""Gradient flow with solve_ivp: C4(b) Q constant, C4(e) d‖A‖²/dt = −4 Σ ω_i i w_i²."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import cumulative_simpson
from strategies import scaled

from tempx.numerics.drivers.flow import gradient_flow
from tempx.numerics.losses import loss_weights
from tempx.numerics.students.dense import impulse_response
from tempx.numerics.students.init import init_gaussian
from tempx.numerics.teachers import memoryless
from tempx.theory.errors import InvalidInput

# Solver tolerances rtol = 1e-10, atol = 1e-12: a conserved quantity drifts by about the
# accumulated local error, ≲ 1e-8 over these horizons; we allow 1e-7 (relative to its size + 1).
DRIFT = 1e-7


@settings(max_examples=scaled(4))
@given(d=st.integers(1, 5), k=st.integers(1, 5), sigma=st.sampled_from([0.3, 0.8]), seed=st.integers(0, 2**31),
       weights=st.sampled_from(["last", "all"]))
def test_Q_is_conserved_along_gradient_flow(d: int, k: int, sigma: float, seed: int, weights: str) -> None:
    p = init_gaussian(2, d, sigma, seed)
    flow = gradient_flow(p, memoryless(k), k, t_end=3.0, weights=weights)
    Q0 = p.q_matrix()
    scale = 1.0 + np.abs(Q0).max()
    for snap in flow.params:
        assert np.abs(snap.q_matrix() - Q0).max() <= DRIFT * scale


@pytest.mark.parametrize("weights", ["last", "all"])
def test_frobenius_norm_of_A_decreases_at_the_predicted_rate(weights: str) -> None:
    """‖A(t)‖² − ‖A(0)‖² = −4 ∫ Σ_{i≥1} ω_i i w_i² dt.  The integral by Simpson's rule on 2001
    points (error O(h⁴) ≈ 1e-12 here; the trapezoid rule's 1e-6 would dominate), so the
    difference is the ODE solver's error (rtol 1e-10): we allow 1e-8 absolute."""
    k = 4
    p = init_gaussian(1, 3, 0.8, seed=5)
    times = np.linspace(0, 2.0, 2001)
    flow = gradient_flow(p, memoryless(k), k, t_end=2.0, t_eval=times, weights=weights)
    omega = loss_weights(k, weights)
    rate = np.array([-4 * np.sum(omega[1:] * np.arange(1, k) * impulse_response(s, k)[0, 1:] ** 2) for s in flow.params])
    norm2 = np.array([np.sum(s.A**2) for s in flow.params])
    integral = cumulative_simpson(rate, x=times, initial=0.0)
    assert np.all(np.diff(norm2) <= 1e-12)  # non-increasing
    assert np.abs(norm2 - norm2[0] - integral).max() <= 1e-8
    assert norm2[-1] < norm2[0] - 1e-3  # it does move: the check is not vacuous


def test_flow_rejects_bad_times() -> None:
    p = init_gaussian(1, 2, 0.5, 0)
    with pytest.raises(InvalidInput):
        gradient_flow(p, memoryless(2), 2, t_end=-1)
    with pytest.raises(InvalidInput):
        gradient_flow(p, memoryless(2), 2, t_end=1, t_eval=[0.5, 0.2])
