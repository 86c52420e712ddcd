"""``tempx train``: gradient descent on a batch of linear RNNs, per-model results as text or JSON."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tempx.numerics.app.budget_report import budget_lines, budget_report
from tempx.numerics.app.commands.common import (
    add_optimizer_arguments,
    finite_or_none,
    freeze_fields,
    int_list,
    nonneg_float,
    nonneg_int,
    optimizer_from,
    positive_float,
    positive_int,
)
from tempx.numerics.app.formatting import dumps, table
from tempx.numerics.app.progress import Progress
from tempx.numerics.nonlinear_teachers import NONLINEAR_TEACHER_FORMS, hankel_dimension, teacher_and_dim
from tempx.numerics.students import LINEAR, STUDENTS
from tempx.theory.budget import (
    bptt_bytes,
    check_memory,
    check_train_time,
    flow_bytes,
    flow_seconds,
    gd_seconds,
    train_bytes,
)
from tempx.theory.errors import InvalidInput
from tempx.theory.teacher_spec import TEACHER_FORMS

# The float layer (numpy, scipy, numba) is imported inside run(): `tempx --help` and every
# refused argument answer without loading it.

HELP = (f"train N students ({', '.join(STUDENTS)}) by GD, linear ones ({', '.join(LINEAR)}) also to the limit of "
        "gradient flow; report train and extrapolation losses")

STUDENT_HELP = ("dense (default; A, B, C), diagonal (A = diag(λ), real), complex (complex modes, real output; C12), "
                "lru (λ = exp(−exp(ν) + iθ), γ-normalized inputs), or a non-linear Elman RNN h_t = φ(A h_{t−1} + B x_t): "
                "identity, tanh, relu (trained on --data or --online); with --init-file: the file's student")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--d", help="state dimension (read from --init-file when given)")
    p.add_argument("--k", help="training length k >= 1 (required unless --sequences gives it: the longest sequence)")
    p.add_argument("--teacher", default="memoryless", help=f"teacher specification: {TEACHER_FORMS}; {NONLINEAR_TEACHER_FORMS} (default memoryless)")
    p.add_argument("--student", help=STUDENT_HELP)
    p.add_argument("--init", choices=("gaussian", "symmetric", "ring", "file"),
                   help="initialization: gaussian N(0, σ²/d) (default; lru: ring), symmetric-balanced (dense: A = Aᵀ, "
                        "C = Bᵀ; diagonal: c = ±b; complex, lru: c = conj(b)), ring (complex, lru: |λ| uniform in "
                        "[r-min, r-max]), or file")
    p.add_argument("--negative-fraction", default="0",
                   help="diagonal student, symmetric init: fraction of modes with c_j = −b_j (default 0)")
    p.add_argument("--r-min", help="ring init: smallest |λ| (default 0.4)")
    p.add_argument("--r-max", help="ring init: largest |λ| (default 0.9)")
    p.add_argument("--sigma", default="0.1", help="initialization scale σ > 0 (default 0.1)")
    p.add_argument("--cap", help="symmetric init: rescale A so that ‖A‖_F <= cap")
    p.add_argument("--init-file", help="parameters of any student: JSON (the --save-params schema, or 'tempx counterexample "
                                       "--format json') or NumPy .npz")
    p.add_argument("--n-models", default="4", help="number of models N (default 4; with --init-file: the file's)")
    p.add_argument("--seed", default="0", help="seed; model i uses seed + i (default 0)")
    p.add_argument("--lr", help="step size η > 0 (default 0.02)")
    p.add_argument("--steps", help="step budget per model (default 10000)")
    p.add_argument("--tol", help="stop a model once its train loss <= tol (default 0: full budget)")
    add_optimizer_arguments(p)
    p.add_argument("--until-converged", action="store_true",
                   help=f"gradient flow to the limit instead of GD (linear students: {', '.join(LINEAR)}; the population "
                        "loss of a non-linear one has no closed form): stop when L_k <= 1e-28 and "
                        "‖∇L‖ <= 1e-13, or at --t-max (reported as 'budget')")
    p.add_argument("--t-max", help="--until-converged: time budget of the flow (default 1e12)")
    p.add_argument("--jobs", default="1", help="--until-converged: models integrated in J processes (default 1)")
    p.add_argument("--q", help="extrapolation lengths Q1,Q2,... (default 4k)")
    p.add_argument("--loss", choices=("last", "all"), default="last", help="last-output or all-outputs loss")
    p.add_argument("--data", help="train on n Gaussian sequences (finite data, C8) instead of the population loss")
    p.add_argument("--sequences", metavar="FILE",
                   help='train on the sequences of a JSON file {"sequences": [[x_0, x_1, ...], ...]} (any lengths; the '
                        "loss is the mean squared error of each sequence's last output)")
    p.add_argument("--freeze", metavar="FIELDS",
                   help="keep these fields of the student at their initial values, e.g. b,c for the diagonal student")
    p.add_argument("--online", help="train on n fresh Gaussian sequences every step (an estimate of the population loss)")
    p.add_argument("--mc-sequences", help="non-linear students: held-out sequences of the Monte Carlo L_q (default 4096)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--save-params", help="write the final parameters: FILE.npz (NumPy) or JSON (the --init-file schema), "
                                         "with the student named")
    p.add_argument("--progress", action="store_true", help="show a progress bar even when stderr is not a terminal")


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from tempx.numerics.app.experiments import dense_of, seeded_batch
    from tempx.numerics.app.experiments import train as train_batch
    from tempx.numerics.data import gaussian_sequences, read_sequences
    from tempx.numerics.hankel import HANKEL_REL_TOL, hankel_rank, hankel_singular_values, hankel_size
    from tempx.numerics.losses import check_lengths, empirical_moment
    from tempx.numerics.students import get, student_of
    from tempx.numerics.students.files import load_params, save_params

    X_given = None if args.sequences is None else read_sequences(args.sequences)
    if args.k is None and X_given is None:
        raise InvalidInput("--k is required (or give --sequences, whose longest sequence sets it)")
    k = X_given.shape[1] if args.k is None and X_given is not None else positive_int(args.k, "--k")
    if X_given is not None and k < X_given.shape[1]:
        raise InvalidInput(f"--k {k} is shorter than the longest of the --sequences ({X_given.shape[1]})")
    if X_given is not None and (args.data is not None or args.online is not None):
        raise InvalidInput("--sequences is the training set: drop --data and --online")
    if X_given is not None and X_given.shape[1] < k:  # zeros in front: no last output changes (h_0 = 0, φ(0) = 0)
        X_given = np.pad(X_given, ((0, 0), (k - X_given.shape[1], 0)))
    seed = nonneg_int(args.seed, "--seed")
    sigma = positive_float(args.sigma, "--sigma")
    limit = args.until_converged
    if limit:
        given = [name for name, v in (("--lr", args.lr), ("--steps", args.steps), ("--tol", args.tol),
                                      ("--optimizer", None if args.optimizer == "gd" else args.optimizer),
                                      ("--schedule", None if args.schedule == "constant" else args.schedule))
                 if v is not None]
        if given:
            raise InvalidInput(f"{', '.join(given)}: gradient-descent options; --until-converged runs gradient flow "
                               "(its budget is --t-max)")
    elif args.t_max is not None or args.jobs != "1":
        raise InvalidInput("--t-max and --jobs go with --until-converged")
    lr = positive_float(args.lr or "0.02", "--lr")
    steps = nonneg_int(args.steps or "10000", "--steps")
    optimizer = optimizer_from(args)
    tol = nonneg_float(args.tol or "0", "--tol")
    t_max = positive_float(args.t_max or "1e12", "--t-max")
    jobs = positive_int(args.jobs, "--jobs")
    cap = None if args.cap is None else positive_float(args.cap, "--cap")
    qs = [4 * k] if args.q is None else int_list(args.q, "--q")
    n_data = None if args.data is None else positive_int(args.data, "--data")
    n_online = None if args.online is None else positive_int(args.online, "--online")
    n_mc = 4096 if args.mc_sequences is None else positive_int(args.mc_sequences, "--mc-sequences")
    if n_mc < 2:
        raise InvalidInput("--mc-sequences must be >= 2 (a standard error needs two samples)")
    if args.save_params is not None:
        target = Path(args.save_params)
        if target.is_dir() or not target.parent.exists():
            raise InvalidInput(f"--save-params: cannot write {args.save_params!r} (not a file in an existing folder)")
    from_file = args.init == "file" or args.init_file is not None
    if from_file and args.init_file is None:
        raise InvalidInput("--init file needs --init-file PATH")
    if from_file and args.init not in (None, "file"):
        raise InvalidInput("--init-file goes with --init file (or no --init)")
    student = get("dense" if args.student is None else args.student)
    freeze = freeze_fields(args.freeze, student)
    init = "file" if from_file else (args.init or student.inits[0])
    neg = nonneg_float(args.negative_fraction, "--negative-fraction")
    if neg > 1:
        raise InvalidInput(f"--negative-fraction must lie in [0, 1], got {args.negative_fraction}")
    ring = (nonneg_float(args.r_min or "0.4", "--r-min"), nonneg_float(args.r_max or "0.9", "--r-max"))
    # options that would be silently ignored are refused
    if (args.r_min is not None or args.r_max is not None) and not (init == "ring" or student.name == "lru"):
        raise InvalidInput("--r-min and --r-max go with --init ring (complex) or the lru student")
    if neg and not (student.name == "diagonal" and init == "symmetric"):
        raise InvalidInput("--negative-fraction goes with --student diagonal --init symmetric (complex modes use c = conj(b))")
    if cap is not None and not (student.name == "dense" and init == "symmetric"):
        raise InvalidInput("--cap goes with the dense symmetric initialization (--init symmetric)")
    if not from_file and init not in student.inits:
        raise InvalidInput(f"--init {init} is not an initialization of the {student.name} student "
                           f"(allowed: {', '.join(student.inits)})")
    check_lengths(qs)
    if args.init != "file" and args.init_file is None and args.d is not None:
        d_req, n_req = positive_int(args.d, "--d"), positive_int(args.n_models, "--n-models")
        check_memory(f"train with N = {n_req}, d = {d_req}, k = {k}, q = {max(qs)}"
                     + (" to the limit of gradient flow" if limit else ""),
                     train_bytes(n_req, d_req, k, max(qs), n_data or n_online) + (flow_bytes(student.n_params(d_req), k) if limit else 0))
    teacher, teacher_dim = teacher_and_dim(args.teacher, k)
    if from_file:
        params = load_params(args.init_file)
        found = student_of(params)
        if args.student is not None and found.name != student.name:
            raise InvalidInput(f"--init-file {args.init_file!r} holds {found.name} students, not --student {student.name}")
        student = found
        freeze = freeze_fields(args.freeze, student)
        check_memory(f"train with N = {params.n_models}, d = {params.d}, k = {k}, q = {max(qs)}",
                     train_bytes(params.n_models, params.d, k, max(qs), n_data or n_online) + (flow_bytes(student.n_params(params.d), k) if limit else 0))
        if args.d is not None and positive_int(args.d, "--d") != params.d:
            raise InvalidInput(f"--d {args.d} does not match the file's d = {params.d}")
        init = "file"
    else:
        if args.d is None:
            raise InvalidInput("--d is required (or give --init-file)")
        d = positive_int(args.d, "--d")
        params = seeded_batch(init, positive_int(args.n_models, "--n-models"), d, sigma, seed, cap, student=student.name,
                              negative_fraction=neg, ring=ring)
    if X_given is not None:
        n_data = X_given.shape[0]
        if student.nonlinear and args.sequences is not None:
            _check_zero_prefix(student, args.sequences)
    if student.nonlinear and (n_data is not None or n_online is not None):
        n_seq = n_data if n_data is not None else n_online
        assert n_seq is not None
        check_memory(f"BPTT on N = {params.n_models} {student.name} students, d = {params.d}, k = {k}, n = {n_seq} "
                     f"sequences, {n_mc} held-out", bptt_bytes(params.n_models, params.d, k, n_seq, n_mc))
    moment = None
    X = None
    if n_data is not None and n_online is not None:
        raise InvalidInput("--data (a fixed set) and --online (fresh sequences every step): give one")
    if student.nonlinear:
        if n_data is None and n_online is None:
            raise InvalidInput(f"a {student.name} student trains on data: give --data n or --online n (its population "
                               "loss has no closed form)")
        if limit:
            raise InvalidInput(f"--until-converged is the limit of the population loss of linear students; a {student.name} "
                               "student trains by GD on --data or --online")
        if n_data is not None:
            X = X_given if X_given is not None else gaussian_sequences(n_data, k, seed)
    elif n_data is not None or n_online is not None:
        if args.loss != "last":
            raise InvalidInput(f"{'--data' if n_data is not None else '--online'} trains linear students on the "
                               "last-output empirical loss; drop --loss all")
        if n_data is not None:
            moment = empirical_moment(X_given if X_given is not None else gaussian_sequences(n_data, k, seed))
        if limit and n_online is not None:
            raise InvalidInput("--online goes with GD, not with --until-converged (the flow needs one fixed loss)")
    if limit:
        check_train_time(f"gradient flow of {params.n_models} {student.name} students (d = {params.d}, k = {k}) to "
                         f"their limits", flow_seconds(params.n_models, student.n_params(params.d), k) / max(1, jobs))
        return _run_limit(args, student, params, teacher, teacher_dim, k, qs, moment, t_max, jobs, init, seed, sigma, n_data,
                          freeze, X_given)
    check_train_time(f"GD of {params.n_models} {student.name} students (d = {params.d}, k = {k}) for {steps} steps",
                     gd_seconds(params.n_models, params.d, k, steps,
                                (n_data if n_data is not None else n_online) if student.nonlinear else None))
    bar = Progress(steps, "train", enabled=True if args.progress else None)
    result = train_batch(params, teacher, k, lr, steps, tol=tol, weights=None if moment is not None else args.loss,
                         moment=moment, data=X, online=None if n_online is None else (n_online, seed), qs=qs,
                         progress=bar.update, mc=(n_mc, seed), freeze=freeze, optimizer=optimizer)
    bar.close()
    hdim = hankel_dimension(teacher, teacher_dim, result.params.d)
    sv = hankel_singular_values(dense_of(result.params), hankel_size(hdim))
    ranks = hankel_rank(sv)

    models: list[dict[str, Any]] = []
    for i in range(params.n_models):
        models.append({
            "model": i,
            "seed": None if init == "file" else seed + i,
            "status": result.status[i],
            "steps": int(result.steps[i]),
            "diverged_at": None if result.diverged_at[i] < 0 else int(result.diverged_at[i]),
            "train_loss": finite_or_none(result.train_loss[i]),
            "extrapolation_loss": {str(q): finite_or_none(result.extrapolation_loss[i, j]) for j, q in enumerate(qs)},
            "hankel_rank": int(ranks[i]),
            "hankel_sv": [finite_or_none(x) for x in sv[i]],
        })
        if result.extrapolation_se is not None:  # Monte Carlo: the standard error and the 95% interval
            se = result.extrapolation_se[i]
            models[-1]["extrapolation_se"] = {str(q): finite_or_none(se[j]) for j, q in enumerate(qs)}
            models[-1]["A_singular_values"] = [float(x) for x in np.linalg.svd(result.params.A[i], compute_uv=False)]
    config = {"student": student.name, "negative_fraction": neg, "d": params.d, "k": k, "init": init, "sigma": sigma if init != "file" else None, "cap": cap,
              "init_file": args.init_file, "n_models": params.n_models, "seed": seed, "lr": lr, "steps": steps,
              "tol": tol, "q": qs, "loss": args.loss, "data": n_data, "online": n_online, "teacher": teacher.name,
              "teacher_dim": teacher_dim, "hankel_tol": HANKEL_REL_TOL,
              "mc_sequences": n_mc if student.nonlinear else None, "sequences": args.sequences, "freeze": list(freeze),
              "optimizer": optimizer.as_dict()}
    doc = {"config": config, "summary": result.counts(), "models": models}
    budget = budget_report(params, result.params, teacher, k, lr, steps, optimizer, freeze)
    if budget is not None:
        doc["budget"] = budget
    if args.save_params is not None:
        save_params(result.params, args.save_params)
    if args.format == "json":
        print(dumps(doc))
    else:
        fmt = lambda x: "—" if x is None else f"{x:.3e}"

        def ext(m: dict[str, Any], q: int) -> str:
            if "extrapolation_se" not in m or m["extrapolation_se"][str(q)] is None:
                return fmt(m["extrapolation_loss"][str(q)])
            return f"{fmt(m['extrapolation_loss'][str(q)])} ± {1.96 * m['extrapolation_se'][str(q)]:.1e}"

        rows = [(m["model"], "" if m["seed"] is None else m["seed"], m["status"], m["steps"], fmt(m["train_loss"]),
                 *(ext(m, q) for q in qs), m["hankel_rank"]) for m in models]
        print(f"{'GD' if optimizer.name == 'gd' else 'Adam'} on {params.n_models} {student.description}: d = {params.d}, "
              f"k = {k}, init = {init}"
              + (f" (σ = {sigma:g})" if init != "file" else "") + f", η = {lr:g}{' (cosine schedule)' if optimizer.schedule == 'cosine' else ''}, {steps} steps, "
              + ("population loss" if n_data is None and n_online is None else
                 f"the {n_data} sequences of {args.sequences}" if X_given is not None else
                 f"{n_data} training sequences" if n_data is not None else f"{n_online} fresh sequences per step")
              + (f", {', '.join(freeze)} frozen" if freeze else "")
              + f" ({args.loss} output)")
        if args.teacher != "memoryless":
            print(f"teacher {_teacher_line(args.teacher, teacher, teacher_dim)}")
        print(table(("model", "seed", "status", "steps", f"L_{k}", *(f"L_{q}" for q in qs), "Hankel rank"), rows))
        counts = result.counts()
        print(", ".join(f"{v} {s}" for s, v in counts.items() if v))
        print(f"Hankel rank: numerical rank (relative tolerance {HANKEL_REL_TOL:g}) of the "
              f"{hankel_size(hdim)}×{hankel_size(hdim)} Hankel matrix of the learned impulse response"
              + (" of the linear part (A, B, C)" if student.nonlinear else ""))
        if result.extrapolation_se is not None:
            print(f"L_q of a {student.name} student: Monte Carlo mean of (ŷ_q − y_q)² on {n_mc} held-out Gaussian sequences "
                  "± 1.96 standard errors (95%); L_k: the training loss")
        if np.any(result.diverged_at >= 0):
            print("diverged models keep their last finite parameters; '—' marks a loss beyond float64 range")
        if budget is not None:
            print(budget_lines(budget, k))
    return 0


def _run_limit(args: argparse.Namespace, student: Any, params: Any, teacher: Any, teacher_dim: int, k: int, qs: list[int],
               moment: Any, t_max: float, jobs: int, init: str, seed: int, sigma: float, n_data: int | None,
               freeze: tuple[str, ...] = (), X: Any = None) -> int:
    """``--until-converged``: gradient flow of every model to its limit (``tempx.numerics.drivers.limit``); in the
    baseline setting of clean-label poisoning, the exact limit of C16 instead (``tempx.numerics.drivers.poisoning``)."""
    import numpy as np

    from tempx.numerics.drivers.executors import local_executor
    from tempx.numerics.drivers.limit import flow_limit, limit_result
    from tempx.numerics.drivers.poisoning import baseline_params, baseline_setting
    from tempx.numerics.hankel import HANKEL_REL_TOL, hankel_rank, hankel_singular_values, hankel_size
    from tempx.numerics.losses import weight_matrix
    from tempx.numerics.students.files import save_params

    bar = Progress(params.n_models, "flow", enabled=True if args.progress else None)
    done = [0]

    def finished(n: int) -> None:
        done[0] = n
        bar.update(n, "")

    def watch(model: int, t: float, loss: float) -> None:  # in this process (--jobs 1): the running model
        bar.update(done[0], f"model {model}: t = {t:.3g}, L_{k} = {loss:.2e}")

    wstar = teacher.impulse_response(k)
    exact_limit = baseline_setting(params, X, freeze, wstar) is None
    from tempx.numerics.drivers.limit import resolve_method

    method = ("gradient flow (LSODA)" if resolve_method("auto", student.n_params(params.d)) == "lsoda"
              else "gradient flow (NDF, Woodbury Newton systems)")
    if exact_limit:  # C16: the conservation law gives the limit in closed form, in a proven bracket
        end, width = baseline_params(params, k, float(wstar[k - 1]))
        W = weight_matrix(k, None, moment)
        res = limit_result(params, end, teacher, k, qs, W, student.frozen_mask(params, freeze), ("converged",) * params.n_models,
                           np.full(params.n_models, np.inf), np.zeros(params.n_models))
        method = (f"the exact limit of gradient flow (claim C16's conservation law; each λ_i in a proven bracket of "
                  f"relative width {width:.1e}, the float64 nearest its midpoint)")
    else:
        with local_executor(jobs) as ex, bar.ticking():
            res = flow_limit(params, teacher, k, qs, weights=None if moment is not None else args.loss, moment=moment,
                             t_max=t_max, executor=ex, progress=finished, watch=watch, freeze=freeze)
    bar.close()
    sv = hankel_singular_values(student.to_dense(res.params), hankel_size(teacher_dim))
    ranks = hankel_rank(sv)
    models = [{
        "model": i,
        "seed": None if init == "file" else seed + i,
        "status": res.status[i],
        "t": finite_or_none(res.t[i]),  # None: the limit t = ∞ itself (C16)
        "train_loss": finite_or_none(res.train_loss[i]),
        "grad_norm": finite_or_none(res.grad_norm[i]),
        "extrapolation_loss": {str(q): finite_or_none(res.extrapolation_loss[i, j]) for j, q in enumerate(qs)},
        "Q_norm": finite_or_none(res.Q_norm[i]),
        "Q_drift": finite_or_none(res.Q_drift[i]),
        "nfev": int(res.nfev[i]),
        "hankel_rank": int(ranks[i]),
        "hankel_sv": [finite_or_none(x) for x in sv[i]],
    } for i in range(params.n_models)]
    config = {"student": student.name, "d": params.d, "k": k, "init": init, "sigma": sigma if init != "file" else None,
              "init_file": args.init_file, "n_models": params.n_models, "seed": seed, "method": method,
              "t_max": t_max, "loss_tol": 1e-28, "grad_tol": 1e-13, "q": qs, "loss": args.loss, "data": n_data,
              "teacher": teacher.name, "teacher_dim": teacher_dim, "hankel_tol": HANKEL_REL_TOL,
              "sequences": args.sequences, "freeze": list(freeze), "exact_limit": exact_limit}
    doc = {"config": config, "summary": res.counts(), "models": models}
    if args.save_params is not None:
        save_params(res.params, args.save_params)
    if args.format == "json":
        print(dumps(doc))
        return 0
    fmt = lambda x: "—" if x is None else f"{x:.3e}"
    rows = [(m["model"], "" if m["seed"] is None else m["seed"], m["status"], "∞" if m["t"] is None else f"{m['t']:.3g}",
             fmt(m["train_loss"]),
             *(fmt(finite_or_none(res.extrapolation_loss[i, j])) for j in range(len(qs))), fmt(m["grad_norm"]),
             fmt(m["Q_norm"]), m["hankel_rank"]) for i, m in enumerate(models)]
    conserved = "‖Q‖" if student.name == "dense" else "‖|b|²−|c|²‖"
    print(f"gradient flow to the limit of {params.n_models} {student.description}: d = {params.d}, k = {k}, init = {init}"
          + (f" (σ = {sigma:g})" if init != "file" else "") + f", t_max = {t_max:g}"
          + (f", trained on {args.sequences}" if args.sequences else "") + (f", {', '.join(freeze)} frozen" if freeze else ""))
    if exact_limit:
        print(f"limit: {method}")
    if args.teacher != "memoryless":
        print(f"teacher {_teacher_line(args.teacher, teacher, teacher_dim)}")
    print(table(("model", "seed", "status", "t", f"L_{k}", *(f"L_{q}" for q in qs), "‖∇L‖", conserved, "Hankel rank"),
                rows))
    print(", ".join(f"{v} {s}" for s, v in res.counts().items() if v)
          + " (converged: L_k <= 1e-28·max(1, L_k(0)) and ‖∇L‖ <= 1e-13; budget: t_max or evaluations ran out)")
    return 0


def _check_zero_prefix(student: Any, path: str) -> None:
    """Shorter sequences are padded with zeros in front; for an Elman student that keeps h = 0 only if φ(0) = 0."""
    import numpy as np

    from tempx.numerics.students.elman import ACTIVATIONS

    phi = ACTIVATIONS[student.name][0]
    if not np.all(phi(np.zeros(1)) == 0.0):  # φ(0) of the built-in activations is 0 by definition, not by rounding
        raise InvalidInput(f"--sequences {path!r}: sequences of different lengths are aligned at their last step with "
                           f"zeros in front, which keeps the state at 0 only if the activation has phi(0) = 0; "
                           f"{student.name} does not")


def _teacher_line(spec: str, teacher: Any, dim: int) -> str:
    if getattr(teacher, "linear", True):
        return f"{spec} (minimal dimension d* = {dim})"
    return f"{spec} (a non-linear {teacher.activation} RNN with {dim} units)"
