"""The site's typesetting of docstring formulas (docs/_ext/unicode_math.py): spans found, translated, and left alone
where their edges are unsure.  The rendered pages are checked in a browser by tests/test_site_browser.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
from unicode_math import math_spans  # the extension folder is not a package: on the path above

CASES = {
    "L_q(R) = Σ_{i<q} r_i²: the last-output loss at length q.":
        r":math:`L_q(R) = \sum_{i<q} r_i^2`: the last-output loss at length :math:`q`.",
    "Training length, k ≥ 1.": r"Training length, :math:`k \ge 1`.",
    "the first index j ≥ k with w_j ≠ w*_j (C10).": r"the first index :math:`j \ge k` with :math:`w_j \ne w^*_j` (C10).",
    "Update rule: θ_{t+1} = θ_t − η ∇L(θ_t), with L = Σ_{i<k} ω_i r_i²":
        r"Update rule: :math:`\theta_{t+1} = \theta_t - \eta \nabla L(\theta_t)`, with :math:`L = \sum_{i<k} \omega_i r_i^2`",
    "S = P (I + u vᵀ) with P a signed permutation": r":math:`S = P (I + u v^\top)` with :math:`P` a signed permutation",
    "For k < 1, c = 0, d below the minimum": r"For :math:`k < 1`, :math:`c = 0`, :math:`d` below the minimum",
    "d ∈ {1, 2} and ‖A‖_F ≤ 1": r":math:`d \in \{1, 2\}` and :math:`\Vert A\Vert_F \le 1`",
    "a student of dimension d ≥ d_min.": r"a student of dimension :math:`d \ge d_{\mathrm{min}}`.",
    "the disguise (SAS⁻¹, SB, CS⁻¹) keeps w": r"the disguise :math:`(SAS^{-1}, SB, CS^{-1})` keeps :math:`w`",
    "λ = exp(−exp(ν) + iθ) and A = diag(λ)": r":math:`\lambda = \exp(- \exp(\nu) + i\theta)` and :math:`A = \operatorname{diag}(\lambda)`",
    "Done. A real student has k ≥ 1.": r"Done. A real student has :math:`k \ge 1`.",
    "the loss is L_q. A model diverges": r"the loss is :math:`L_q`. A model diverges",
    "gives L = 3 x at last": r"gives :math:`L = 3 x` at last",
    "with x ∈ ( 0, 1 ) here": r"with :math:`x \in ( 0, 1)` here",
    "so AB = 0 holds": r"so :math:`AB = 0` holds",
    "then w_i AB = c holds": r"then :math:`w_i AB = c` holds",
    "*λ_i(t) from the start*": r"*:math:`\lambda_i(t)` from the start*",
}


@pytest.mark.parametrize("text", list(CASES))
def test_formula_spans_become_math_roles(text: str) -> None:
    assert math_spans(text) == CASES[text]


@pytest.mark.parametrize("text", [
    "a model stops once its loss ≤ tol; tol = 0 never stops early",  # the span's left edge is a word
    "on the interval (0 ≤ t ≤ 1).",  # the span would start at an operator
    "A Teacher or a specification string (default memoryless).",  # no formula at all
    "the matrix AB",  # a short capital word is a formula only beside an operator
    "",
])
def test_unsure_or_plain_text_is_left_as_it_is(text: str) -> None:
    assert math_spans(text) == text
