"""``tempx counterexample``'s text and LaTeX, whole, for one small instance of each construction: every number
in them is an exact rational, so the expected output is written out, and each was checked by hand (below).
A branch taken wrongly (the C2 header on a C10 teacher, a dropped "disguised with seed", a balanced line on an
unbalanced student, the default lengths, the LaTeX row separators of the ReLU matrices) changes a line.

Hand checks. Cyclic, k = 2, c = 1: w = 1, 0, 1, 0, 1, …, so L_q = Σ_{2 ≤ i < q} w_i² = 1, 1, 2, 3 at q = 3, 4, 5, 8
(the default lengths k + 1, 2k, the 5 terms shown, 4k). With c = 3/2: w_2 = 3/2, w_4 = 9/4, L_5 = 9/4 + 81/16 = 117/16.
Tail 1/2, 1/3: w_2, w_3 = 1/2, 1/3, so L_3 = 1/4 and L_q = 1/4 + 1/9 = 13/36 for q ≥ 4. Diagonal on 1/2, −1/3:
Lagrange weights 2/5, 3/5 (sum 1, Σ w λ = 0), w_2 = 2/5·1/4 + 3/5·1/9 = 1/6, L_3 = 1/36; balanced, each weight is
split into squares (9/25 + 1/25 = 2/5; 9/25 + 4/25 + 1/25 + 1/25 = 3/5). For the delay:1 teacher on the same
nodes the weights are 6/5, −6/5 (Σ w = 0, Σ w λ = 1), w_3 = 6/5 (1/8 + 1/27) = 7/36 and L_4 = 1/36 + 49/1296 = 85/1296.
Diagonal at k = 1 on the node 1/2: w_i = 2^{−i}, L_3 = 1/4 + 1/16 = 5/16. ReLU: L_q = c² (1 at c = 1, 9/4 at c = −3/2; C = (1, −1, c, −c) reads x_t + c x_{t−1} off the\nunits relu(±x) and their delayed copies)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import run_cli

GOLDEN = {
    "cyclic": (['--k', '2'], r"""
Counterexample (C2): k = 2, d = 2 (d_min = 2), teacher y_t = x_t (cyclic, c = 1)
A =
  [ 0  1 ]
  [ 1  0 ]
B =
  [ 1 ]
  [ 0 ]
C =
  [ 1  0 ]
impulse response w_0..w_4: 1, 0, 1, 0, 1
train loss L_2 = 0
extrapolation loss L_3 = 1
extrapolation loss L_4 = 1
extrapolation loss L_5 = 2
extrapolation loss L_8 = 3
"""),
    "cyclic_padded": (['--k', '2', '--c', '3/2', '--d', '3'], r"""
Counterexample (C2): k = 2, d = 3 (d_min = 2), teacher y_t = x_t (cyclic, c = 3/2)
A =
  [   0  3/2    0 ]
  [   1    0    0 ]
  [   0    0    0 ]
B =
  [ 1 ]
  [ 0 ]
  [ 0 ]
C =
  [ 1  0  0 ]
impulse response w_0..w_4: 1, 0, 3/2, 0, 9/4
train loss L_2 = 0
extrapolation loss L_3 = 9/4
extrapolation loss L_4 = 9/4
extrapolation loss L_5 = 117/16
extrapolation loss L_8 = 1197/64
"""),
    "tail": (['--k', '2', '--tail', '1/2,1/3'], r"""
Counterexample (C2): k = 2, d = 4 (d_min = 2), teacher y_t = x_t (tail = 1/2, 1/3)
A =
  [ 0  0  0  0 ]
  [ 1  0  0  0 ]
  [ 0  1  0  0 ]
  [ 0  0  1  0 ]
B =
  [ 1 ]
  [ 0 ]
  [ 0 ]
  [ 0 ]
C =
  [   1    0  1/2  1/3 ]
impulse response w_0..w_4: 1, 0, 1/2, 1/3, 0
train loss L_2 = 0
extrapolation loss L_3 = 1/4
extrapolation loss L_4 = 13/36
extrapolation loss L_5 = 13/36
extrapolation loss L_8 = 13/36
"""),
    "disguised": (['--k', '2', '--disguise', '3'], r"""
Counterexample (C2): k = 2, d = 2 (d_min = 2), teacher y_t = x_t (cyclic, c = 1, disguised with seed 3)
A =
  [   2/3  -8/27 ]
  [ -15/8   -2/3 ]
B =
  [ -2/9 ]
  [ -1/2 ]
C =
  [ -9/2     0 ]
impulse response w_0..w_4: 1, 0, 1, 0, 1
train loss L_2 = 0
extrapolation loss L_3 = 1
extrapolation loss L_4 = 1
extrapolation loss L_5 = 2
extrapolation loss L_8 = 3
"""),
    "shift_register": (['--k', '2', '--teacher', 'delay:1'], r"""
Counterexample (C10): k = 2, d = 2 (d_min = 2), teacher delay:1 (shift register, first difference w_2 - w*_2 = 1)
A =
  [ 0  1 ]
  [ 1  1 ]
B =
  [ 0 ]
  [ 1 ]
C =
  [ 1  0 ]
impulse response w_0..w_4: 0, 1, 1, 2, 3
train loss L_2 = 0
extrapolation loss L_3 = 1
extrapolation loss L_4 = 5
extrapolation loss L_5 = 14
extrapolation loss L_8 = 272
"""),
    "dense_latex": (['--k', '2', '--format', 'latex'], r"""
% tempx counterexample: dense student, k = 2, d = 2, teacher memoryless (needs \usepackage{amsmath,graphicx})
\setcounter{MaxMatrixCols}{10}
\ifdefined\tempxeqbox\else\newsavebox{\tempxeqbox}\fi
\begin{equation*}
\sbox{\tempxeqbox}{$\displaystyle
A = \begin{bmatrix}
0 & 1 \\
1 & 0
\end{bmatrix},\quad
B = \begin{bmatrix}
1 \\
0
\end{bmatrix},\quad
C = \begin{bmatrix}
1 & 0
\end{bmatrix}
$}%
\ifdim\wd\tempxeqbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\tempxeqbox}}\else\usebox{\tempxeqbox}\fi
\end{equation*}
\begin{equation*}
\sbox{\tempxeqbox}{$\displaystyle
(w_i)_{i=0}^{4} = \begin{bmatrix}
1 & 0 & 1 & 0 & 1
\end{bmatrix}
$}%
\ifdim\wd\tempxeqbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\tempxeqbox}}\else\usebox{\tempxeqbox}\fi
\end{equation*}
"""),
    "diagonal": (['--k', '2', '--student', 'diagonal', '--nodes', '1/2,1/3'], r"""
Diagonal counterexample (C12): k = 2, teacher memoryless, lagrange weights
nodes λ: 1/2, 1/3
weights c_j b_j: -2, 3
impulse response w_0..w_4: 1, 0, -1/6, -5/36, -19/216
train loss L_2 = 0
extrapolation loss L_3 = 1/36
extrapolation loss L_4 = 61/1296
extrapolation loss L_5 = 2557/46656
"""),
    "diagonal_balanced": (['--k', '2', '--student', 'diagonal', '--nodes', '1/2,-1/3', '--balanced'], r"""
Diagonal counterexample (C12): k = 2, teacher memoryless, lagrange weights, balanced (c = b)
balanced: c_j b_j = b_j² must be a rational square, so a node whose weight is not one is repeated (a sum of the fewest squares found): d = 6 for 2 nodes, repeats 2, 4
nodes λ: 1/2, 1/2, -1/3, -1/3, -1/3, -1/3
weights c_j b_j: 9/25, 1/25, 9/25, 4/25, 1/25, 1/25
impulse response w_0..w_4: 1, 0, 1/6, 1/36, 7/216
train loss L_2 = 0
extrapolation loss L_3 = 1/36
extrapolation loss L_4 = 37/1296
extrapolation loss L_5 = 1381/46656
"""),
    "diagonal_teacher": (['--k', '2', '--student', 'diagonal', '--nodes', '1/2,-1/3', '--teacher', 'delay:1', '--terms', '3'], r"""
Diagonal counterexample (C12): k = 2, teacher delay:1, vandermonde weights
nodes λ: 1/2, -1/3
weights c_j b_j: 6/5, -6/5
impulse response w_0..w_2: 0, 1, 1/6
train loss L_2 = 0
extrapolation loss L_3 = 1/36
extrapolation loss L_4 = 85/1296
"""),
    "diagonal_latex": (['--k', '2', '--student', 'diagonal', '--nodes', '1/2,1/3', '--format', 'latex'], r"""
% tempx counterexample: diagonal student, k = 2, d = 2, teacher memoryless (needs \usepackage{amsmath,graphicx})
\setcounter{MaxMatrixCols}{10}
\ifdefined\tempxeqbox\else\newsavebox{\tempxeqbox}\fi
\begin{equation*}
\sbox{\tempxeqbox}{$\displaystyle
A = \begin{bmatrix}
\frac{1}{2} & 0 \\
0 & \frac{1}{3}
\end{bmatrix},\quad
B = \begin{bmatrix}
1 \\
1
\end{bmatrix},\quad
C = \begin{bmatrix}
-2 & 3
\end{bmatrix}
$}%
\ifdim\wd\tempxeqbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\tempxeqbox}}\else\usebox{\tempxeqbox}\fi
\end{equation*}
\begin{equation*}
\sbox{\tempxeqbox}{$\displaystyle
(w_i)_{i=0}^{4} = \begin{bmatrix}
1 & 0 & -\frac{1}{6} & -\frac{5}{36} & -\frac{19}{216}
\end{bmatrix}
$}%
\ifdim\wd\tempxeqbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\tempxeqbox}}\else\usebox{\tempxeqbox}\fi
\end{equation*}
"""),
    "relu": (['--k', '2', '--student', 'relu'], r"""
ReLU counterexample (C15): k = 2, c = 1, 6 units; output x_t + (1) x_(t-2) on every sequence
train loss L_2 = 0 (every data set); extrapolation loss L_q = 1 for every q > k (unit-variance inputs)
A =
  [ 0  0  0  0  0  0 ]
  [ 0  0  0  0  0  0 ]
  [ 1  0  0  0  0  0 ]
  [ 0  1  0  0  0  0 ]
  [ 0  0  1  0  0  0 ]
  [ 0  0  0  1  0  0 ]
B =
  [  1 ]
  [ -1 ]
  [  0 ]
  [  0 ]
  [  0 ]
  [  0 ]
C =
  [  1  -1   0   0   1  -1 ]
"""),
    "relu_latex": (['--k', '2', '--student', 'relu', '--format', 'latex'], r"""
% tempx counterexample: relu student, k = 2, d = 6, teacher memoryless (needs \usepackage{amsmath,graphicx})
\setcounter{MaxMatrixCols}{10}
\ifdefined\tempxeqbox\else\newsavebox{\tempxeqbox}\fi
\begin{equation*}
\sbox{\tempxeqbox}{$\displaystyle
A = \begin{bmatrix}
0 & 0 & 0 & 0 & 0 & 0 \\
0 & 0 & 0 & 0 & 0 & 0 \\
1 & 0 & 0 & 0 & 0 & 0 \\
0 & 1 & 0 & 0 & 0 & 0 \\
0 & 0 & 1 & 0 & 0 & 0 \\
0 & 0 & 0 & 1 & 0 & 0
\end{bmatrix},\quad
B = \begin{bmatrix}
1 \\
-1 \\
0 \\
0 \\
0 \\
0
\end{bmatrix}
$}%
\ifdim\wd\tempxeqbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\tempxeqbox}}\else\usebox{\tempxeqbox}\fi
\end{equation*}
\begin{equation*}
\sbox{\tempxeqbox}{$\displaystyle
C = \begin{bmatrix}
1 & -1 & 0 & 0 & 1 & -1
\end{bmatrix}
$}%
\ifdim\wd\tempxeqbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\tempxeqbox}}\else\usebox{\tempxeqbox}\fi
\end{equation*}
"""),
    "relu_negative_c": (['--k', '1', '--student', 'relu', '--c=-3/2'], r"""
ReLU counterexample (C15): k = 1, c = -3/2, 4 units; output x_t + (-3/2) x_(t-1) on every sequence
train loss L_1 = 0 (every data set); extrapolation loss L_q = 9/4 for every q > k (unit-variance inputs)
A =
  [ 0  0  0  0 ]
  [ 0  0  0  0 ]
  [ 1  0  0  0 ]
  [ 0  1  0  0 ]
B =
  [  1 ]
  [ -1 ]
  [  0 ]
  [  0 ]
C =
  [    1    -1  -3/2   3/2 ]
"""),
    "diagonal_k1": (['--k', '1', '--student', 'diagonal', '--nodes', '1/2'], r"""
Diagonal counterexample (C12): k = 1, teacher memoryless, lagrange weights
nodes λ: 1/2
weights c_j b_j: 1
impulse response w_0..w_2: 1, 1/2, 1/4
train loss L_1 = 0
extrapolation loss L_2 = 1/4
extrapolation loss L_3 = 5/16
"""),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_the_whole_output(name: str) -> None:
    args, expected = GOLDEN[name]
    proc = run_cli(["counterexample", *args])
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout == expected.lstrip("\n")


def test_the_json_of_the_cyclic_counterexample() -> None:
    """The documented schema, every number an exact rational string; the losses match the text's."""
    proc = run_cli(["counterexample", "--k", "2", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc == {
        "k": 2, "d": 2, "teacher": "memoryless", "d_min": 2, "first_difference": 2, "construction": "cyclic", "c": "1",
        "tail": None, "disguise": None, "A": [["0", "1"], ["1", "0"]], "B": [["1"], ["0"]], "C": [["1", "0"]],
        "impulse_response": ["1", "0", "1", "0", "1"], "train_loss": "0",
        "extrapolation_loss": {"3": "1", "4": "1", "5": "2", "8": "3"}}


def test_a_disguise_changes_the_matrices_not_the_function() -> None:
    plain = json.loads(run_cli(["counterexample", "--k", "2", "--format", "json"]).stdout)
    disguised = json.loads(run_cli(["counterexample", "--k", "2", "--disguise", "3", "--format", "json"]).stdout)
    assert disguised["disguise"] == 3 and disguised["A"] != plain["A"]
    for key in ("impulse_response", "train_loss", "extrapolation_loss"):
        assert disguised[key] == plain[key]
    A = [[Fraction(x) for x in r] for r in disguised["A"]]
    assert A[0][0] + A[1][1] == 0 and A[0][0] * A[1][1] - A[0][1] * A[1][0] == -1  # similar to [[0, 1], [1, 0]]


def test_the_exact_report_is_estimated_before_it_is_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report (impulse responses and losses to 4k terms) costs report_work(q, d, nonzeros, products, g): the
    k = 3 cyclic counterexample's A is the cyclic shift (d = 3, c = 1: three nonzeros, each a row that copies), against
    the memoryless teacher (g = 0), to q = 12 terms.  A limit just under refuses it with
    one line, before any term is computed; one just over answers."""
    from tempx.theory.budget import WORK_ENV, report_work

    units = report_work(12, 3, 3, 0, 0, 0.0)
    monkeypatch.setenv(WORK_ENV, repr(units * 0.99))
    r = run_cli(["counterexample", "--k", "3", "--format", "json"])
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("tempx: error: the exact report of a counterexample of dimension d = 3 to 12 terms is "
                               "estimated at") and r.stderr.count("\n") == 1
    monkeypatch.setenv(WORK_ENV, repr(units * 1.01))
    assert run_cli(["counterexample", "--k", "3", "--format", "json"]).returncode == 0


def test_show_estimates_times_each_checked_stage(tmp_path: Path) -> None:
    """TEMPX_SHOW_ESTIMATES=1 prints each estimate with the time it was checked, a "done" line when a checked stage
    ends, and the process's end: what benchmarks/estimates.py sets beside the estimates (a real subprocess)."""
    import os
    import re
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "tempx", "counterexample", "--k", "20", "--disguise", "1", "--format",
                        "json"], capture_output=True, text=True, env={**os.environ, "TEMPX_SHOW_ESTIMATES": "1"},
                       cwd=tmp_path, check=True)
    lines = r.stderr.splitlines()
    stamp = r" at ([0-9]+\.[0-9]{3}) s$"
    assert all(re.search(stamp, ln) for ln in lines), lines
    kinds = [ln.split(": ")[2] for ln in lines]
    assert kinds[-1].startswith("end") and kinds.count("end") == 1
    report = "the exact report of a counterexample of dimension d = 20 to 80 terms"
    for what in ("disguising a counterexample of dimension d = 20", report):
        work = next(i for i, ln in enumerate(lines) if ln.startswith(f"tempx: estimate: work: {what}: "))
        done = next(i for i, ln in enumerate(lines) if ln.startswith(f"tempx: estimate: done: {what}: "))
        t = [float(re.search(stamp, lines[i]).group(1)) for i in (work, done)]  # type: ignore[union-attr]
        assert work < done and t[0] <= t[1]


def test_the_report_estimate_tells_copies_from_products(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows of A as the report estimate reads them: [1] copies (free), [λ] with λ ≠ 1 is a single product (a
    diagonal's node), several entries are products on one denominator; a dense (disguised) A counts d² of them."""
    from tempx.numerics.app.commands.counterexample import _check_report
    from tempx.theory.budget import WORK_ENV, OverBudget, report_work

    A = [[Fraction(1)], [Fraction(1, 2)], [Fraction(1, 3), Fraction(2)]]
    for dense, units in ((False, report_work(9, 3, 4, 2, 1, 5.0)), (True, report_work(9, 3, 9, 9, 0, 5.0, dense=True))):
        monkeypatch.setenv(WORK_ENV, repr(units * 1.001))
        _check_report(A, 3, 9, 5.0, dense)
        monkeypatch.setenv(WORK_ENV, repr(units * 0.999))
        with pytest.raises(OverBudget, match="the exact report of a counterexample of dimension d = 3 to 9 terms"):
            _check_report(A, 3, 9, 5.0, dense)


def test_the_diagonal_report_is_estimated_by_its_closed_form(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real diagonal student's report (its closed form over integers, to 2000 terms here) costs
    diagonal_report_work(q, d, g) with g = log₂ 6 + log₂ 3 for nodes 1/2, 1/3 (Q = 6, Q·λ = 3, 2); a limit just under
    refuses it with one line after the construction's own smaller check, one just over answers."""
    import math

    from tempx.theory.budget import DIAG_REPORT_PRODUCT, DIAG_REPORT_STEP, WORK_ENV, diagonal_report_work

    g = math.log2(6) + math.log2(3)
    units = diagonal_report_work(2000, 2, g)
    assert units == pytest.approx(DIAG_REPORT_PRODUCT * 2 * g * (g + 64) * 2000**2 + DIAG_REPORT_STEP * 2 * 2000)
    args = ["counterexample", "--student", "diagonal", "--k", "2", "--nodes", "1/2,1/3", "--terms", "2000", "--format",
            "json"]
    monkeypatch.setenv(WORK_ENV, repr(units * 0.999))
    r = run_cli(args)
    assert r.returncode == 2 and r.stderr.startswith("tempx: error: the exact report of a counterexample of dimension "
                                                     "d = 2 to 2000 terms is estimated at"), r.stderr
    monkeypatch.setenv(WORK_ENV, repr(units * 1.001))
    doc = json.loads(run_cli(args).stdout)
    # c = (−2, 3) matches w*_0 = 1, w*_1 = 0; then w_2 = −2/4 + 3/9 = −1/6
    assert doc["impulse_response"][:3] == ["1", "0", "-1/6"] and len(doc["impulse_response"]) == 2000


def test_balanced_diagonal_students_say_when_nodes_repeat() -> None:
    import json

    from cli_helpers import run_cli

    text = run_cli(["counterexample", "--student", "diagonal", "--nodes", "1,-1", "--k", "2", "--balanced"])
    assert text.returncode == 0 and "d = 4 for 2 nodes, repeats 2, 2" in text.stdout  # weights 1/2: not squares
    doc = json.loads(run_cli(["counterexample", "--student", "diagonal", "--nodes", "1,-1", "--k", "2", "--balanced",
                              "--format", "json"]).stdout)
    assert doc["d"] == 4 and doc["repeats"] == [2, 2]
    # weights 1/4 and 3/4 at nodes 3, -1 (ℓ_j(0)): 1/4 is a square (once), 3/4 = 3/2² needs three squares
    doc = json.loads(run_cli(["counterexample", "--student", "diagonal", "--nodes", "3,-1", "--k", "2", "--balanced",
                              "--format", "json"]).stdout)
    assert doc["repeats"] == [1, 3] and doc["d"] == 4


def test_four_squares_uses_the_fewest_squares_it_can_prove() -> None:
    from fractions import Fraction

    from tempx.theory.moments import four_squares

    for x, parts in ((Fraction(1, 4), 1), (Fraction(2, 9), 2), (Fraction(5, 9), 2), (Fraction(3), 3), (Fraction(7), 4),
                     (Fraction(0), 0)):
        got = four_squares(x)
        assert sum(v * v for v in got) == x and len(got) == parts, (x, got)
