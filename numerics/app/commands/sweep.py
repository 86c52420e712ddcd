"""``tempx sweep``: the initialization-scale experiment (E1, claim C7) as a table and figures."""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path
from typing import Any

from tempx.numerics.app.commands.common import (
    add_optimizer_arguments,
    float_list,
    int_list,
    nonneg_int,
    optimizer_from,
    positive_float,
    positive_int,
)
from tempx.numerics.app.io import ensure_dir, rows_to_csv, staged, write_text_atomic
from tempx.numerics.app.progress import Progress
from tempx.numerics.nonlinear_teachers import NONLINEAR_TEACHER_FORMS, NonlinearTeacher, teacher_and_dim
from tempx.theory.budget import FIGURES_BYTES, bptt_bytes, check_memory, train_bytes
from tempx.theory.errors import InvalidInput
from tempx.theory.teacher_spec import TEACHER_FORMS

HELP = "sweep the initialization scale σ over seeds and sizes; write a tidy table (CSV, JSON) and figures"

MAX_VALUES = 64  # values in each of --d, --k, --sigmas (distinct)
MAX_MODELS = 100_000  # cells × seeds: bounded before anything runs


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--d", required=True, help="state dimensions D1[,D2,...]")
    p.add_argument("--k", required=True, help="training lengths K1[,K2,...]")
    p.add_argument("--sigmas", required=True, help="initialization scales S1,S2,... (> 0)")
    p.add_argument("--seeds", required=True, help="models per (d, k, σ) cell; model i uses seed i")
    p.add_argument("--teacher", default="memoryless", help=f"teacher specification: {TEACHER_FORMS}; {NONLINEAR_TEACHER_FORMS} (default memoryless)")
    p.add_argument("--student", default="dense", help="dense (default), diagonal, complex (claim C12), lru, or a non-linear "
                                                       "Elman RNN: identity, tanh, relu (with --data or --online)")
    p.add_argument("--init", choices=("gaussian", "symmetric", "ring"),
                   help="gaussian (default; lru: ring), symmetric-balanced, or ring (complex, lru)")
    p.add_argument("--lr", default="0.02", help="step size η (default 0.02)")
    p.add_argument("--steps", default="20000", help="GD steps per model (default 20000)")
    add_optimizer_arguments(p)
    p.add_argument("--q", help="extrapolation length (default 4k per cell; must exceed every k)")
    p.add_argument("--data", help="train on n Gaussian sequences (finite data, E4) instead of the population loss")
    p.add_argument("--online", help="train on n fresh Gaussian sequences every step")
    p.add_argument("--sequences", metavar="FILE", help='train on the sequences of a JSON file {"sequences": [[x_0, ...], '
                                                       "...]} (any lengths, each k at least the longest)")
    p.add_argument("--freeze", metavar="FIELDS", help="keep these fields of the student at their initial values (e.g. b,c)")
    p.add_argument("--mc-sequences", help="non-linear students: held-out sequences of the Monte Carlo L_q (default 4096)")
    p.add_argument("--out", required=True, help="output folder (created if needed)")
    p.add_argument("--jobs", default="1", help="cells computed in J local processes (default 1)")
    p.add_argument("--scheduler", metavar="ADDRESS|local:N",
                   help="compute the cells on a Dask cluster (tcp://host:8786, or local:N); needs tempx[cluster]")
    p.add_argument("--progress", action="store_true", help="show a progress bar even when stderr is not a terminal")


def _cell(cell: tuple[int, int, float], seeds: int, init: str, lr: float, steps: int, q: int | None,
          n_data: int | None, teacher: str, student: str, online: int | None = None, mc: int = 4096,
          data: Any = None, freeze: tuple[str, ...] = (), optimizer: Any = None) -> list[dict[str, Any]]:
    """One (d, k, σ) cell: a pure function of its arguments (model i from seed i), run anywhere."""
    from tempx.numerics.app.experiments import init_scale_sweep
    from tempx.numerics.blas_threads import single_blas_thread

    d, k, sigma = cell
    with single_blas_thread():
        return init_scale_sweep([d], [k], [sigma], seeds, init, lr, steps, q, n_data, teacher=teacher, student=student,
                                online=online, mc_sequences=mc, data=data, freeze=freeze, optimizer=optimizer)


def _distinct(values: list[Any], name: str) -> list[Any]:
    """A list of at most MAX_VALUES values, none repeated (a repeated value would train the same cell twice)."""
    if len(values) > MAX_VALUES:
        raise InvalidInput(f"{name} lists {len(values)} values; at most {MAX_VALUES} are allowed")
    if len(set(values)) != len(values):
        raise InvalidInput(f"{name} lists a value more than once ({min(v for v in set(values) if values.count(v) > 1)})")
    return values


def run(args: argparse.Namespace) -> int:
    from tempx.numerics.app.experiments import ROW_COLUMNS, summarize
    from tempx.numerics.losses import check_lengths
    from tempx.numerics.students import get

    ds = _distinct(int_list(args.d, "--d"), "--d")
    ks = _distinct(int_list(args.k, "--k"), "--k")
    sigmas = _distinct(float_list(args.sigmas, "--sigmas"), "--sigmas")
    seeds = positive_int(args.seeds, "--seeds")
    lr = positive_float(args.lr, "--lr")
    optimizer = optimizer_from(args)
    steps = nonneg_int(args.steps, "--steps")
    q = None if args.q is None else positive_int(args.q, "--q")
    n_data = None if args.data is None else positive_int(args.data, "--data")
    if q is not None and q <= max(ks):
        raise InvalidInput(f"--q must exceed every k (got q = {q}, max k = {max(ks)})")
    teacher = teacher_and_dim(args.teacher)[0]  # a bad specification is refused before any folder is created
    s = get(args.student)
    if isinstance(teacher, NonlinearTeacher):
        teacher.check_student(s)
    student = s.name
    n_online = None if args.online is None else positive_int(args.online, "--online")
    from tempx.numerics.app.commands.common import freeze_fields
    from tempx.numerics.data import read_sequences

    freeze = freeze_fields(args.freeze, s)
    X_given = None if args.sequences is None else read_sequences(args.sequences)
    if X_given is not None:
        if n_data is not None or args.online is not None:
            raise InvalidInput("--sequences is the training set: drop --data and --online")
        if min(ks) < X_given.shape[1]:
            raise InvalidInput(f"every --k must be at least the longest of the --sequences ({X_given.shape[1]}), "
                               f"got {min(ks)}")
        if s.nonlinear and args.sequences is not None:
            from tempx.numerics.app.commands.train import _check_zero_prefix

            _check_zero_prefix(s, args.sequences)
    n_mc = 4096 if args.mc_sequences is None else positive_int(args.mc_sequences, "--mc-sequences")
    if n_mc < 2:
        raise InvalidInput("--mc-sequences must be >= 2 (a standard error needs two samples)")
    if n_data is not None and n_online is not None:
        raise InvalidInput("--data (a fixed set) and --online (fresh sequences every step): give one")
    if s.nonlinear and n_data is None and n_online is None and X_given is None:
        raise InvalidInput(f"a {student} student trains on data: give --data n or --online n")
    if s.nonlinear:
        n_seq = X_given.shape[0] if X_given is not None else n_data if n_data is not None else n_online
        assert n_seq is not None
        check_memory(f"sweep of {student} students with d up to {max(ds)}, k up to {max(ks)}, {seeds} seeds, n = {n_seq}",
                     bptt_bytes(seeds, max(ds), max(ks), n_seq, n_mc) + FIGURES_BYTES)
    init = args.init or s.inits[0]
    if init not in s.inits:
        raise InvalidInput(f"--init {init} is not an initialization of the {student} student (allowed: {', '.join(s.inits)})")
    jobs = positive_int(args.jobs, "--jobs")
    from tempx.numerics.drivers.executors import check_executor_options

    check_executor_options(args.jobs, args.scheduler)  # one line before any folder is touched
    check_lengths([q or 4 * max(ks)])
    check_memory(f"sweep with d up to {max(ds)}, k up to {max(ks)}, {seeds} seeds per cell",
                 train_bytes(seeds, max(ds), max(ks), (q or 4 * max(ks)),
                             n_data or n_online or (None if X_given is None else X_given.shape[0])) + FIGURES_BYTES)
    grid = [(d, k, s) for d in ds for k in ks for s in sigmas]
    if len(grid) * seeds > MAX_MODELS:
        raise InvalidInput(f"--d, --k and --sigmas give {len(grid)} cells of {seeds} seeds, {len(grid) * seeds} models; "
                           f"a sweep trains at most {MAX_MODELS}")
    out = ensure_dir(Path(args.out))
    cells = len(grid)
    bar = Progress(cells, "sweep", enabled=True if args.progress else None)
    cell = functools.partial(_cell, seeds=seeds, init=init, lr=lr, steps=steps, q=q, n_data=n_data,
                             teacher=args.teacher, student=student, online=n_online, mc=n_mc, data=X_given, freeze=freeze,
                             optimizer=optimizer)
    from tempx.numerics.drivers.executors import executor_for

    parts: list[list[dict[str, Any]]] = []
    with executor_for(jobs if cells > 1 else 1, args.scheduler) as ex:
        for part in (map(cell, grid) if ex is None else ex.map(cell, grid)):  # map keeps the order of the grid
            parts.append(part)
            bar.update(len(parts), "")
    bar.close()
    rows = [r for part in parts for r in part]
    summary = summarize(rows, ("d", "k", "sigma"))
    config = {"d": ds, "k": ks, "sigmas": sigmas, "seeds": seeds, "init": init, "lr": lr, "steps": steps,
              "q": q, "data": n_data, "online": n_online, "teacher": args.teacher, "student": student,
              "mc_sequences": n_mc if s.nonlinear else None, "sequences": args.sequences, "freeze": list(freeze),
              "optimizer": optimizer.as_dict()}
    from tempx.numerics.app.plots import plot_q0, plot_sweep  # matplotlib only when drawing

    drawable = any(r["extrapolation_loss"] is not None for r in rows)
    with staged(out) as stage:  # all of the result set, or none of it
        write_text_atomic(stage / "results.csv", rows_to_csv(rows, ROW_COLUMNS))
        write_text_atomic(stage / "results.json", json.dumps({"config": config, "summary": summary, "rows": rows},
                                                             indent=1))
        figs = [out / f.relative_to(stage) for f in
                plot_sweep(rows, stage / "extrapolation_vs_sigma") + plot_q0(rows, stage / "extrapolation_vs_Q0")] \
            if drawable else []
    if not drawable:
        print(f"every model diverged (no finite extrapolation loss to plot; each row records its divergence step); "
              f"wrote {out / 'results.csv'}, {out / 'results.json'}, no figures")
        return 0
    print(f"{len(rows)} models in {cells} cells; wrote {out / 'results.csv'}, {out / 'results.json'}, "
          + ", ".join(str(f) for f in figs))
    q_of = {(r["d"], r["k"]): r["q"] for r in rows}  # the extrapolation length of each (d, k) cell
    for s in summary:
        med = "—" if s["median"] is None else f"{s['median']:.2e}"
        iqr = "" if s["median"] is None else f" [{s['q25']:.1e}, {s['q75']:.1e}]"
        q_here = q_of.get((s["d"], s["k"]), "q")
        print(f"  d={s['d']:<3} k={s['k']:<3} σ={s['sigma']:<6g} median L_{q_here} = {med}{iqr}  "
              f"diverged {s['diverged']}/{s['n']}")
    return 0
