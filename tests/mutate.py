"""Mutation testing for tempx: does the test suite fail when the code is wrong?

Run from the repository root (docs/testing.md):

    python tests/mutate.py --sample 160 --jobs 2 --out mutation-report      # a fresh sample
    python tests/mutate.py --sample 160 --seed 1234 --jobs 2 --out again    # that sample again

Each mutant changes one place of one module (an arithmetic or comparison operator, a constant,
a condition, an index, a returned value), written into a private copy of the source tree; the
module's test subset (``TESTS`` below) runs against that copy in a fresh process, and the mutant
is *killed* when the tests fail (or time out).  Mutants listed in ``tests/mutation_equivalent.json``
cannot change behaviour; they are reported but left out of the kill rate.

No mutant can run old code: every copy is run with ``PYTHONDONTWRITEBYTECODE=1`` from a tree
without ``__pycache__`` folders, and a mutant of a compiled (numba) module gets a fresh, empty
``NUMBA_CACHE_DIR`` so that its kernels are compiled from the mutated source.

The sample is uniform over all mutation points of the selected modules, so modules get mutants in
proportion to their size.  Without ``--seed`` it is a fresh sample (a seed drawn from the operating
system, printed and recorded in the report, so that ``--seed`` reproduces it): a suite is measured
on mutants it was not tuned to.  Every module of theory/ and numerics/ with code is in ``TESTS``
(tests/test_packaging.py checks it; package ``__init__`` files that only re-export are ``SKIP``).  Output: ``OUT/mutants.json`` (every mutant, its
status and the test output's last line) and ``OUT/summary.md`` (a table per module).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module → the tests that exercise it (pytest node ids or files, with optional -k expressions).
TESTS: dict[str, list[str]] = {
    "theory/exact.py": ["tests/test_caps.py", "tests/test_exact.py", "tests/test_rnn.py", "tests/test_counterexamples.py", "tests/test_threshold.py", "tests/test_boundaries.py", "tests/test_teacher_spec.py"],
    "theory/rnn.py": ["tests/test_rnn.py", "tests/test_counterexamples.py", "tests/test_boundaries.py"],
    "theory/losses.py": ["tests/test_losses.py", "tests/test_claims.py", "tests/test_boundaries.py"],
    "theory/counterexamples.py": ["tests/test_counterexamples.py", "tests/test_threshold.py", "tests/test_cli.py", "tests/test_boundaries.py"],
    "theory/teachers.py": ["tests/test_teacher_spec.py", "tests/test_losses.py", "tests/test_boundaries.py"],
    "theory/teacher_spec.py": ["tests/test_teacher_spec.py"],
    "theory/complexity.py": ["tests/test_complexity.py", "tests/test_threshold.py"],
    "theory/threshold.py": ["tests/test_threshold.py", "tests/test_claims.py::test_claim_passes_with_default_seed", "tests/test_boundaries.py"],
    "theory/moments.py": ["tests/test_moments.py", "tests/test_claims.py::test_claim_passes_with_default_seed"],
    "theory/diagonal.py": ["tests/test_diagonal.py", "tests/test_claims.py"],
    "theory/symbolic.py": ["tests/test_symbolic.py", "tests/test_claims.py", "tests/test_losses.py"],
    "theory/claims/registry.py": ["tests/test_claims.py"],
    "theory/claims/c1_loss_identity.py": ["tests/test_claims.py"],
    "theory/claims/c2_counterexamples.py": ["tests/test_claims.py", "tests/test_counterexamples.py"],
    "theory/claims/c3_tightness.py": ["tests/test_claims.py", "tests/test_tightness.py", "tests/test_boundaries.py"],
    "theory/claims/c4_invariants.py": ["tests/test_claims.py", "tests/test_losses.py"],
    "theory/claims/c5_symmetric.py": ["tests/test_claims.py"],
    "theory/claims/c6_landscape.py": ["tests/test_claims.py"],
    "theory/claims/c10_threshold.py": ["tests/test_claims.py", "tests/test_threshold.py"],
    "theory/claims/c11_moment_tightness.py": ["tests/test_claims.py"],
    "theory/claims/c12_diagonal.py": ["tests/test_claims.py"],
    "theory/certify.py": ["tests/test_certify.py"],
    "theory/claims/c13_certified.py": ["tests/test_certify.py", "tests/test_claims.py", "tests/test_linf.py"],
    "numerics/powerlaw.py": ["tests/test_limit.py"],
    "theory/budget.py": ["tests/test_budget.py", "tests/test_fuzz.py", "tests/test_teacher_spec.py", "tests/test_diagonal.py", "tests/test_counterexample_command.py"],
    "theory/linf.py": ["tests/test_linf.py", "tests/test_enclosure.py", "tests/test_certify.py", "tests/test_claims.py"],
    "theory/enclosure.py": ["tests/test_enclosure.py", "tests/test_claims.py"],
    "theory/claims/c14_exact_linf.py": ["tests/test_linf.py", "tests/test_enclosure.py", "tests/test_claims.py"],
    "theory/files.py": ["tests/test_caps.py", "tests/test_files.py", "tests/test_teacher_spec.py", "tests/test_fuzz.py"],
    "numerics/app/io.py": ["tests/test_io.py", "tests/test_signals.py"],
    "numerics/app/cli.py": ["tests/test_cli.py", "tests/test_fuzz.py", "tests/test_signals.py", "tests/test_packaging.py"],
    "numerics/drivers/executors.py": ["tests/test_caps.py", "tests/test_limit.py", "tests/test_reproduce.py", "tests/test_signals.py", "tests/test_boundaries.py"],
    "numerics/losses.py": ["tests/test_caps.py", "tests/test_numerics_losses.py", "tests/test_descent.py", "tests/test_elman.py", "tests/test_boundaries.py"],
    "numerics/students/dense_kernels.py": ["tests/test_kernels.py", "tests/test_descent.py"],
    "numerics/students/simd.py": ["tests/test_simd.py", "tests/test_kernels.py"],
    "numerics/drivers/descent.py": ["tests/test_descent.py", "tests/test_kernels.py", "tests/test_elman.py",
                                    "tests/test_teachers.py"],
    "numerics/students/init.py": ["tests/test_init.py", "tests/test_diagonal.py", "tests/test_boundaries.py"],
    "numerics/app/reproduce.py": ["tests/test_reproduce.py"],
    "numerics/hankel.py": ["tests/test_hankel.py", "tests/test_experiments.py", "tests/test_boundaries.py"],
    "numerics/students/diagonal.py": ["tests/test_diagonal.py", "tests/test_students.py", "tests/test_init.py"],
    "numerics/students/arrays.py": ["tests/test_init.py", "tests/test_students.py", "tests/test_cli_numerics.py"],
    "numerics/drivers/ndf.py": ["tests/test_ndf.py"],
    "numerics/drivers/limit.py": ["tests/test_limit.py", "tests/test_ndf.py", "tests/test_poisoning.py"],
    "numerics/extrapolation.py": ["tests/test_numerics_losses.py", "tests/test_teachers.py", "tests/test_limit.py"],
    "numerics/nonlinear_teachers.py": ["tests/test_teachers.py", "tests/test_elman.py"],
    "numerics/app/latex.py": ["tests/test_report.py", "tests/test_latex.py"],
    "numerics/plot.py": ["tests/test_plot.py"],
    "theory/display.py": ["tests/test_display.py"],
    "numerics/students/diagonal_kernels.py": ["tests/test_diagonal.py"],
    "numerics/students/__init__.py": ["tests/test_students.py", "tests/test_docs.py"],
    "numerics/students/protocol.py": ["tests/test_students.py", "tests/test_limit.py", "tests/test_docs.py"],
    "numerics/students/dense.py": ["tests/test_numerics_losses.py", "tests/test_students.py", "tests/test_limit.py", "tests/test_kernels.py",
                                   "tests/test_init.py"],
    "numerics/students/lru.py": ["tests/test_students.py", "tests/test_boundaries.py", "tests/test_init.py"],
    "numerics/students/files.py": ["tests/test_students.py", "tests/test_init.py", "tests/test_cli_numerics.py"],
    "numerics/drivers/flow.py": ["tests/test_flow.py", "tests/test_students.py"],
    "numerics/app/experiments.py": ["tests/test_experiments.py", "tests/test_reproduce.py"],
    "numerics/app/report.py": ["tests/test_report.py", "tests/test_reproduce.py"],
    "numerics/app/citation.py": ["tests/test_citation.py"],
    "numerics/app/figure_style.py": ["tests/test_plots.py"],
    "numerics/app/commands/cite.py": ["tests/test_citation.py"],
    "numerics/app/commands/certify.py": ["tests/test_caps.py", "tests/test_certify.py", "tests/test_enclosure.py",
                                         "tests/test_students.py"],
    "numerics/app/commands/common.py": ["tests/test_cli_numerics.py", "tests/test_fuzz.py"],
    "numerics/app/commands/counterexample.py": ["tests/test_caps.py", "tests/test_counterexample_command.py", "tests/test_cli.py", "tests/test_diagonal.py", "tests/test_relu.py"],
    "numerics/app/commands/experiment.py": ["tests/test_cli_numerics.py"],
    "numerics/app/commands/reproduce.py": ["tests/test_caps.py", "tests/test_reproduce.py"],
    "numerics/app/commands/sweep.py": ["tests/test_cli_numerics.py", "tests/test_elman.py", "tests/test_boundaries.py"],
    "numerics/app/commands/threshold.py": ["tests/test_caps.py", "tests/test_cli.py", "tests/test_threshold.py"],
    "numerics/app/commands/train.py": ["tests/test_cli_numerics.py", "tests/test_train_command.py", "tests/test_students.py", "tests/test_elman.py"],
    "numerics/app/commands/verify.py": ["tests/test_cli.py"],
    "numerics/app/formatting.py": ["tests/test_formatting.py", "tests/test_cli.py", "tests/test_reproduce.py", "tests/test_latex.py",
                                   "tests/test_counterexample_command.py"],
    "docs/_ext/unicode_math.py": ["tests/test_unicode_math.py"],
    "numerics/app/plots.py": ["tests/test_plots.py", "tests/test_reproduce.py", "tests/test_cli_numerics.py"],
    "numerics/app/progress.py": ["tests/test_progress.py", "tests/test_cli_numerics.py"],
    "numerics/data.py": ["tests/test_experiments.py", "tests/test_elman.py", "tests/test_boundaries.py"],
    "numerics/highprec.py": ["tests/test_highprec.py", "tests/test_boundaries.py"],
    "numerics/teachers.py": ["tests/test_teachers.py", "tests/test_numerics_losses.py", "tests/test_teacher_spec.py", "tests/test_boundaries.py"],
    "theory/errors.py": ["tests/test_cli.py", "tests/test_fuzz.py"],
    "numerics/students/elman.py": ["tests/test_elman.py", "tests/test_relu.py"],
    "numerics/students/elman_kernels.py": ["tests/test_elman.py", "tests/test_determinism.py"],
    "numerics/blas_threads.py": ["tests/test_blas_threads.py", "tests/test_determinism.py", "tests/test_elman.py"],
    "numerics/app/costs.py": ["tests/test_reproduce.py"],
    "numerics/app/poisoning.py": ["tests/test_poisoning.py", "tests/test_reproduce.py"],
    "numerics/app/report_poisoning.py": ["tests/test_poisoning.py", "tests/test_reproduce.py"],
    "numerics/drivers/poisoning.py": ["tests/test_poisoning.py"],
    "numerics/app/float_checks.py": ["tests/test_poisoning.py", "tests/test_cli.py"],
    "theory/poisoning.py": ["tests/test_poisoning.py", "tests/test_claims.py"],
    "theory/realcomplex.py": ["tests/test_realcomplex.py", "tests/test_claims.py"],
    "theory/frontier.py": ["tests/test_realcomplex.py", "tests/test_claims.py"],
    "theory/adam_bound.py": ["tests/test_optimizers.py", "tests/test_claims.py"],
    "theory/claims/c17_real_complex.py": ["tests/test_claims.py", "tests/test_realcomplex.py"],
    "numerics/frontier.py": ["tests/test_realcomplex.py"],
    "numerics/drivers/optimizers.py": ["tests/test_optimizers.py"],
    "numerics/app/realcomplex.py": ["tests/test_realcomplex.py", "tests/test_reproduce.py"],
    "numerics/app/budget_report.py": ["tests/test_optimizers.py"],
    "numerics/app/commands/frontier.py": ["tests/test_realcomplex.py"],
    "theory/claims/c16_poisoning.py": ["tests/test_poisoning.py", "tests/test_claims.py"],
    "numerics/drivers/montecarlo.py": ["tests/test_elman.py", "tests/test_numerics_losses.py", "tests/test_relu.py", "tests/test_teachers.py"],
    "theory/relu.py": ["tests/test_relu.py", "tests/test_claims.py"],
    "theory/claims/c15_relu.py": ["tests/test_relu.py", "tests/test_claims.py"],
}
# modules without mutation points worth sampling: package markers and lazy re-exports
SKIP = {"theory/__init__.py", "theory/claims/__init__.py", "numerics/__init__.py", "numerics/app/__init__.py",
        "numerics/app/commands/__init__.py", "numerics/drivers/__init__.py"}
COMPILED = {"numerics/students/dense_kernels.py", "numerics/students/diagonal_kernels.py", "numerics/students/elman_kernels.py",
            "numerics/students/simd.py"}

# presentation, not mathematics: the values of these keyword arguments (figure typography and geometry)
# are not mutated; what a figure draws is (tests/test_plots.py reads it back)
STYLE_KEYWORDS = {"fontsize", "alpha", "lw", "ms", "s", "capsize", "figsize", "dpi"}

SWAP_BIN = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
            ast.Pow: ast.Mult, ast.Mod: ast.FloorDiv}
SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
            ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


@dataclass(frozen=True)
class Mutant:
    module: str
    line: int
    col: int
    end_line: int
    end_col: int
    operator: str
    original: str
    replacement: str
    scope: str = ""  # the enclosing function or class (qualified), "" at module level, then #n among equals

    @property
    def id(self) -> str:
        """Where the mutant is (module:line:column:operator:replacement): for reading and for --only."""
        return f"{self.module}:{self.line}:{self.col}:{self.operator}:{self.replacement}"

    @property
    def key(self) -> str:
        """What the mutant is, independent of line numbers (module:scope#n:operator:original->replacement):
        the key of tests/mutation_equivalent.json, so that a record survives edits elsewhere in the module."""
        return f"{self.module}:{self.scope}:{self.operator}:{self.original}->{self.replacement}"


def _skipped_lines(tree: ast.AST, source: str) -> set[int]:
    """Docstrings, f-strings, annotations, decorators, __all__ and '# pragma: no mutate' lines."""
    skip: set[int] = set()
    for i, text in enumerate(source.splitlines(), 1):
        if "pragma: no mutate" in text:
            skip.add(i)
    for node in ast.walk(tree):
        spans: list[ast.AST] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                spans.append(body[0])
            if not isinstance(node, ast.Module):
                spans += list(node.decorator_list)
        if isinstance(node, ast.JoinedStr):
            spans.append(node)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            spans.append(node)
        if isinstance(node, (ast.arg, ast.AnnAssign)) and getattr(node, "annotation", None) is not None:
            spans.append(node.annotation)  # type: ignore[arg-type]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            spans.append(node.returns)
        for s in spans:
            skip.update(range(s.lineno, (s.end_lineno or s.lineno) + 1))
    return skip


def _segment(source_lines: list[str], node: ast.AST) -> str:
    return ast.get_source_segment("".join(source_lines), node) or ""


def find_mutants(module: str) -> list[Mutant]:
    source = (ROOT / module).read_text(encoding="utf-8")
    tree = ast.parse(source)
    skip = _skipped_lines(tree, source)
    out: list[Mutant] = []
    scope_of: dict[int, str] = {}

    def walk_scopes(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = name
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = f"{name}.{child.name}" if name else child.name
            scope_of[id(child)] = inner
            walk_scopes(child, inner)

    walk_scopes(tree, "")
    lines = source.splitlines(keepends=True)

    def segment(node: ast.AST) -> str | None:
        """``ast.get_source_segment`` on lines split once (it splits the whole source on every call)."""
        try:
            first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined,operator]
            start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return None
        if last is None or end is None:
            return None
        if first == last:
            return lines[first].encode()[start:end].decode()
        parts = [lines[first].encode()[start:].decode(), *lines[first + 1:last], lines[last].encode()[:end].decode()]
        return "".join(parts)

    def add(node: ast.AST, operator: str, new: ast.AST) -> None:
        if node.lineno in skip:  # type: ignore[attr-defined]
            return
        original = segment(node)
        if original is None:
            return
        replacement = ast.unparse(new)
        if "\n" in original and len(original) > 400:
            return
        out.append(Mutant(module, node.lineno, node.col_offset, node.end_lineno or node.lineno,  # type: ignore[attr-defined]
                          node.end_col_offset or 0, operator, original, replacement,  # type: ignore[attr-defined]
                          scope_of.get(id(node), "")))

    style = {id(c) for kw in ast.walk(tree) if isinstance(kw, ast.keyword) and kw.arg in STYLE_KEYWORDS
             for c in ast.walk(kw.value)}
    if module.startswith("theory/claims/"):  # the ranges of a claim's random draws (rng.randint(1, 12), …)
        style |= {id(c) for call in ast.walk(tree) if isinstance(call, ast.Call)
                  and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
                  and call.func.value.id == "rng" for arg in call.args for c in ast.walk(arg)}
    for node in ast.walk(tree):
        if id(node) in style:
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in SWAP_BIN:
            add(node, f"binop {type(node.op).__name__}->{SWAP_BIN[type(node.op)].__name__}",
                ast.BinOp(node.left, SWAP_BIN[type(node.op)](), node.right))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in SWAP_CMP:
            add(node, f"compare {type(node.ops[0]).__name__}->{SWAP_CMP[type(node.ops[0])].__name__}",
                ast.Compare(node.left, [SWAP_CMP[type(node.ops[0])]()], node.comparators))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            add(node, "constant +1", ast.Constant(node.value + 1))
        elif isinstance(node, ast.BoolOp):
            other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            add(node, f"boolop {type(node.op).__name__}->{type(other).__name__}", ast.BoolOp(other, node.values))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            add(node, "drop not", node.operand)
        elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
            add(node.test, "negate condition", ast.UnaryOp(ast.Not(), node.test))
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            add(node.value, "return None", ast.Constant(None))
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, (ast.Name, ast.BinOp)) \
                and isinstance(node.ctx, ast.Load):
            add(node.slice, "index +1", ast.BinOp(node.slice, ast.Add(), ast.Constant(1)))
    out.sort(key=lambda m: (m.line, m.col, m.operator))
    seen: dict[tuple[str, str, str, str], int] = {}
    numbered = []
    for m in out:  # equal mutants in one scope are told apart by their order
        k = (m.scope, m.operator, m.original, m.replacement)
        seen[k] = seen.get(k, 0) + 1
        numbered.append(replace(m, scope=f"{m.scope}#{seen[k]}"))
    return numbered


def apply(source: str, m: Mutant) -> str:
    lines = source.splitlines(keepends=True)
    start = sum(len(l) for l in lines[: m.line - 1]) + len(lines[m.line - 1].encode()[: m.col].decode())
    end = sum(len(l) for l in lines[: m.end_line - 1]) + len(lines[m.end_line - 1].encode()[: m.end_col].decode())
    new = source[:start] + "(" + m.replacement + ")" + source[end:]
    ast.parse(new)  # a mutant must still be valid Python
    return new


def copy_tree(dest: Path) -> None:
    # tempx/ holds relative symlinks to theory/ and numerics/: copied as links, they point into the copy
    for name in ("tempx", "theory", "numerics", "tests", "docs", "benchmarks", "README.md", "pyproject.toml", "CITATION.cff"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dest / name)


def run_tests(tree: Path, tests: list[str], timeout: float, numba_cache: str) -> tuple[str, float, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(tree), "NUMBA_CACHE_DIR": numba_cache}
    # a private --basetemp: concurrent (or killed) pytest runs never share /tmp/pytest-of-<user>
    basetemp = tempfile.mkdtemp(prefix="pytest-", dir=tree.parent)
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider", "-p", "no:randomly",
           f"--basetemp={basetemp}", *tests]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - start, ""
    finally:
        shutil.rmtree(basetemp, ignore_errors=True)
    last = (proc.stdout.strip().splitlines() or [""])[-1]
    if proc.returncode != 0:  # keep the failing test's name and error for the report
        failed = [ln for ln in proc.stdout.splitlines() if ln.startswith(("FAILED", "ERROR", "E   "))]
        last += " | " + " / ".join(failed[:3])
    return ("survived" if proc.returncode == 0 else "killed"), time.perf_counter() - start, last


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=160, help="number of mutants drawn (default 160)")
    ap.add_argument("--seed", type=int, default=None, help="seed of the sample (default: a fresh one, printed)")
    ap.add_argument("--jobs", type=int, default=2, help="mutants run in parallel (default 2)")
    ap.add_argument("--modules", help="comma-separated module paths (default: every module in TESTS)")
    ap.add_argument("--only", help="comma-separated mutant ids to run (ignores --sample)")
    ap.add_argument("--out", default="mutation-report", help="output folder (default ./mutation-report)")
    ap.add_argument("--resummarize", action="store_true",
                    help="only rewrite OUT/summary.md from OUT/mutants.json and the current equivalent list")
    args = ap.parse_args()
    equivalent = json.loads((ROOT / "tests" / "mutation_equivalent.json").read_text(encoding="utf-8"))
    if args.resummarize:
        rows = json.loads((Path(args.out) / "mutants.json").read_text(encoding="utf-8"))
        for r in rows:
            status = str(r["status"]).removeprefix("equivalent (").removesuffix(")")
            r["status"] = f"equivalent ({status})" if r.get("key") in equivalent else status
        (Path(args.out) / "mutants.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
        table = summarize(rows)
        (Path(args.out) / "summary.md").write_text(table, encoding="utf-8")
        print(table)
        return 0
    modules = list(TESTS) if args.modules is None else [m.strip() for m in args.modules.split(",")]
    unknown = [m for m in modules if m not in TESTS]
    if unknown:
        print(f"mutate: unknown module(s) {unknown}; known: {sorted(TESTS)}", file=sys.stderr)
        return 2
    pool = [m for mod in modules for m in find_mutants(mod)]
    if args.only:
        wanted = set(args.only.split(","))
        sample = [m for m in pool if m.id in wanted]
    else:
        if args.seed is None:
            args.seed = random.SystemRandom().randrange(2**31)
        sample = random.Random(args.seed).sample(pool, min(args.sample, len(pool)))
    sample.sort(key=lambda m: (m.module, m.line, m.col))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tempx-mutate-"))
    shared_cache = str(work / "numba-cache")
    print(f"mutate: {len(sample)} of {len(pool)} mutation points (seed {args.seed}) in {len(modules)} modules; "
          f"{args.jobs} at a time", flush=True)

    # Baseline: each module's tests must pass unmutated; their time sets the mutants' timeout.  Modules share
    # test sets, so each distinct set runs once, --jobs at a time (the unmutated tree is only read).
    base = work / "base"
    copy_tree(base)
    sets = sorted({tuple(TESTS[m.module]) for m in sample})
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        runs = dict(zip(sets, ex.map(lambda tests: run_tests(base, list(tests), 1800, shared_cache), sets)))
    baseline: dict[str, float] = {}
    for mod in sorted({m.module for m in sample}):
        status, seconds, last = runs[tuple(TESTS[mod])]
        if status != "survived":
            print(f"mutate: the tests of {mod} fail without a mutant ({last}); fix them first", file=sys.stderr)
            return 1
        baseline[mod] = seconds
    trees = []
    for i in range(args.jobs):
        t = work / f"w{i}"
        copy_tree(t)
        trees.append(t)

    results: list[dict[str, object]] = []
    free = list(range(args.jobs))

    def one(m: Mutant) -> dict[str, object]:
        slot = free.pop()
        tree = trees[slot]
        path = tree / m.module
        original = path.read_text(encoding="utf-8")
        try:
            path.write_text(apply(original, m), encoding="utf-8")
            cache = tempfile.mkdtemp(prefix="numba-", dir=work) if m.module in COMPILED else shared_cache
            status, seconds, last = run_tests(tree, TESTS[m.module], 3 * baseline[m.module] + 60, cache)
        finally:
            path.write_text(original, encoding="utf-8")
            free.append(slot)
        if m.key in equivalent:
            status = f"equivalent ({status})"
        row = {**asdict(m), "id": m.id, "key": m.key, "status": status, "seconds": round(seconds, 1), "last_line": last}
        print(f"[{status:>22}] {m.id}  {m.original!r} -> {m.replacement!r}", flush=True)
        return row

    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        results = list(ex.map(one, sample))
    (out / "mutants.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    table = f"Sample: {len(sample)} mutants, seed {args.seed} (rerun: --seed {args.seed}).\n\n" + summarize(results)
    (out / "summary.md").write_text(table, encoding="utf-8")
    print(table)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def summarize(results: list[dict[str, object]]) -> str:
    mods: dict[str, dict[str, int]] = {}
    for r in results:
        s = mods.setdefault(str(r["module"]), {"mutants": 0, "killed": 0, "survived": 0, "equivalent": 0})
        s["mutants"] += 1
        status = str(r["status"])
        if status.startswith("equivalent"):
            s["equivalent"] += 1
        elif status in ("killed", "timeout"):
            s["killed"] += 1
        else:
            s["survived"] += 1
    lines = ["| module | mutants | killed | survived | equivalent | kill rate |", "|---|---|---|---|---|---|"]
    tot = {"mutants": 0, "killed": 0, "survived": 0, "equivalent": 0}
    for mod, s in sorted(mods.items()):
        for k in tot:
            tot[k] += s[k]
        rate = s["killed"] / max(1, s["mutants"] - s["equivalent"])
        lines.append(f"| `{mod}` | {s['mutants']} | {s['killed']} | {s['survived']} | {s['equivalent']} | {rate:.0%} |")
    rate = tot["killed"] / max(1, tot["mutants"] - tot["equivalent"])
    lines.append(f"| **all** | {tot['mutants']} | {tot['killed']} | {tot['survived']} | {tot['equivalent']} | **{rate:.1%}** |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
