"""The command line ``bptt-sim`` (also ``python -m simulator``): new, train, check, export, sweep, serve.

FILE is a document saved by the app or by ``--out`` (simulator/document/format.py), or a lesson's
short name such as ``binary-addition``. Errors print one line on stderr and exit non-zero
(2: bad input, 1: the check disagrees or training diverged), never a traceback.
"""
import argparse
import json
import sys

import numpy as np

from simulator import cli_train
EXIT_BAD_INPUT, EXIT_FAILED = 2, 1


def open_state(name, seed=None):
    """A Session for FILE: a lesson's short name or a document's path."""
    return open_document(name, seed)[0]


def open_document(name, seed=None):
    """(Session, the checked document or None for a lesson) for FILE."""
    from simulator import document
    from simulator.lessons.registry import LESSONS
    from simulator.state.caps import quote
    from simulator.state.session import Session
    if name in LESSONS:
        session = Session(lesson=name)
        if seed is not None:
            session.seed = seed  # new random weights and cases from this seed
        return session, None
    if seed is not None:
        raise ValueError("--seed applies to a lesson name; a document carries its own seed and weights")
    if not name.endswith(".json") and "/" not in name and "\\" not in name:
        raise ValueError(f"{quote(name)} is neither a lesson ({', '.join(LESSONS)}) nor a .json document")
    doc = document.read(name)
    return document.session_from_document(doc, validated=True), doc


def _seed(text):
    value = int(text)
    if not 0 <= value < 2 ** 31:
        raise argparse.ArgumentTypeError(f"seed must be in 0..{2 ** 31 - 1}; got {value}")
    return value


def _count(text):
    value = int(text)
    if not 0 <= value <= 10 ** 7:
        raise argparse.ArgumentTypeError(f"must be in 0..10000000; got {value}")
    return value


def jsonable(value):
    """Readout values (numpy arrays and scalars, tuples, nested dicts) as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    return value if value is None or isinstance(value, str) else str(value)


def measures(session):
    """The lesson's own measures (simulator.lessons.registry.readout) of the session's current state."""
    from simulator.lessons.registry import readout
    s = session
    if s.task_info is None:
        return {}
    result = readout(s.lesson, s.net, s.lesson_spec, s.task_info, s.sequences, s.gradients)
    if isinstance(result.get("automaton"), dict):  # the per-state cluster of 2000-odd states: not a measure
        result["automaton"] = {k: v for k, v in result["automaton"].items() if k not in ("assignment", "centres")}
    return jsonable(result)


# -- train -------------------------------------------------------------------------------------------
def _train(args):
    from simulator import document
    session, doc = open_document(args.file, args.seed)
    args.set = (args.set or []) + cli_train.as_set(args)
    if args.set:
        from simulator.sweep import apply_settings, combinations, parse_set
        grid = parse_set(args.set)
        if any(len(v) != 1 for v in grid.values()):
            raise ValueError("train takes one value per --set NAME=V (sweep takes several)")
        apply_settings(session, combinations(grid)[0])
    start_loss, start = session.loss_value, session.updates
    ok = _run(session, args.updates) or session.message_kind == "info"  # a stopping rule is no failure
    if args.out:  # training changes no shape, so the input's view (if any) still fits
        document.save(args.out, session, view=(doc or {}).get("view"))
    result = {"lesson": session.lesson, "seed": session.seed, "updates": session.updates,
              "loss": session.loss_value, "start_loss": start_loss, "diverged": not ok,
              "solved": solved(session), "measures": measures(session)}
    if session.cases is not None:  # a net of the user's: accuracy and the test cases' figures
        from simulator.document.cases import figures
        result.update(figures(session))
    if args.json:
        print(json.dumps(result, allow_nan=False, default=str))
    else:
        print(_summary(result, start))
    if not ok:
        print(f"bptt-sim: error: {session.message}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def solved(session):
    """The lesson's success criterion (simulator/lessons/lesson.py) on the session's net."""
    from simulator.lessons.registry import solved
    s = session
    return s.task_info is not None and solved(s.lesson, s.net, s.lesson_spec, s.task_info, s.sequences, s.gradients)


def _sweep(args):
    from simulator import sweep as S
    from simulator.lessons.registry import LESSONS
    if args.list:
        print("\n".join(LESSONS))
        return 0
    if args.file is None:
        raise ValueError("sweep needs LESSON or FILE (or --list)")
    seeds, grid = S.parse_seeds(args.seeds), S.parse_set(args.set)
    updates = args.updates if args.updates is not None else S.budget(args.file)
    try:
        runs = S.sweep(args.file, seeds, grid, updates, scheduler=args.scheduler, workers=args.workers)
    except KeyboardInterrupt:
        print("bptt-sim: sweep cancelled", file=sys.stderr)
        return 130
    if args.out:
        S.write_csv(args.out, runs)
    if args.plot:
        S.plot(args.plot, runs, args.file)
    print(f"{args.file}: {len(seeds)} seeds x {len(runs) // len(seeds)} settings, {updates} updates each")
    print(S.table(S.summary(runs)))
    if args.json:
        print(json.dumps(S.as_json(runs), allow_nan=False))
    return 0


def _workers(text):
    value = int(text)
    if not 1 <= value <= 1024:
        raise argparse.ArgumentTypeError(f"must be in 1..1024; got {value}")
    return value


def _run(session, updates):
    """``updates`` weight updates with a progress bar on stderr (only on a terminal)."""
    from tqdm import tqdm
    done, chunk = 0, max(1, min(50, updates // 100 or 1))
    with tqdm(total=updates, unit="update", file=sys.stderr, disable=None, leave=False,
              desc=session.lesson) as bar:
        while done < updates:
            n = min(chunk, updates - done)
            ok = session.step(n)
            done += n
            bar.update(n)
            bar.set_postfix(loss=f"{session.loss_value:.4g}", refresh=False)
            if not ok:
                return False
    return True


def _summary(result, start):
    lines = [f"{result['lesson']} (seed {result['seed']}): updates {start} -> {result['updates']}, "
             f"loss {result['start_loss']:.6g} -> {result['loss']:.6g}"]
    if "test_loss" in result or "accuracy" in result:
        lines.append(", ".join(f"{k.replace('_', ' ')} {result[k]:.6g}" for k in
                               ("accuracy", "test_loss", "test_accuracy") if k in result))
    m = result["measures"]
    if "bit_accuracy" in m:
        lines.append(f"held-out pairs: bit accuracy {m['bit_accuracy']:.4f}, pair accuracy {m['pair_accuracy']:.4f}")
        lines += m.get("examples", [])
    for key in ("written", "right", "distance_last", "spectral_radius_all", "error_at_t0"):
        if key in m:
            lines.append(f"{key.replace('_', ' ')}: {m[key]}")
    return "\n".join(lines)


# -- new and export ----------------------------------------------------------------------------------
def _new(args):
    from simulator import document
    from simulator.document.cases import new_from_arguments
    session = new_from_arguments(args.data, args.inputs, args.targets, args.steps, hidden=args.hidden,
                                 activation=args.activation, loss=args.loss, seed=args.seed)
    document.save(args.out, session)
    print(f"{args.out}: {session.message[:-1]}; T = {session.steps}, loss {session.loss_value:.6g}")
    return 0


def _export(args):
    from simulator.document.cases import table_of
    from simulator.document.sequences_csv import write_csv
    text = write_csv(table_of(open_state(args.file)))
    if args.out is None:
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    return 0


# -- check -------------------------------------------------------------------------------------------
def _check(args):
    from engine import GradientCheck

    from simulator.state.edits import ref_label
    session = open_state(args.file)
    net, names = session.net, session.unit_names
    gc = GradientCheck(net, session.sequences, eps=args.eps, truncate=session.truncate or None)  # what training uses
    a = np.concatenate([x.ravel() for x in gc.bptt])
    f = np.concatenate([x.ravel() for x in gc.numeric])
    N = net.N
    refs = [("W", i, j) for i in range(N) for j in range(N)] + [("b", i) for i in range(N)] + [("h0", i) for i in range(N)]
    free = np.concatenate([net.C.ravel() != 0, np.full(N, net.bias), np.ones(N, bool)])
    rows = sorted(np.flatnonzero(free), key=lambda k: -abs(a[k] - f[k]))
    scale = max(1.0, float(np.max(np.abs(f[free]))) if free.any() else 1.0)
    agree = gc.max_abs_diff <= args.tolerance * scale
    if args.json:
        print(json.dumps({"lesson": session.lesson, "updates": session.updates, "loss": float(gc.loss),
                          "parameters": int(free.sum()), "max_abs_diff": gc.max_abs_diff,
                          "max_rel_diff": gc.max_rel_diff, "tolerance": args.tolerance * scale, "agree": bool(agree)}))
    else:
        print(f"{session.lesson} at update {session.updates}: loss {gc.loss:.6g}; {int(free.sum())} parameters, "
              f"central differences with eps = {args.eps:g}")
        print(f"{'parameter':<22}{'bptt':>16}{'numeric':>16}{'|difference|':>14}")
        shown = rows if args.all else rows[:args.rows]
        for k in shown:
            print(f"{ref_label(refs[k], names):<22}{a[k]:>16.9g}{f[k]:>16.9g}{abs(a[k] - f[k]):>14.3g}")
        if len(shown) < len(rows):
            print(f"... {len(rows) - len(shown)} more with smaller differences (--all lists them)")
        print(f"max abs difference {gc.max_abs_diff:.3g}, max rel difference {gc.max_rel_diff:.3g} "
              f"(relative to max(|bptt|, |numeric|, 1e-7)): {'agree' if agree else 'DISAGREE'} "
              f"(tolerance {args.tolerance * scale:.3g} absolute)")
    if not agree:
        print(f"bptt-sim: error: bptt and finite differences disagree by {gc.max_abs_diff:.3g}", file=sys.stderr)
        return EXIT_FAILED
    return 0


# -- serve -------------------------------------------------------------------------------------------
def _serve(args):
    from simulator.serving.allocator import relaunch_for_serve
    from simulator.serving.server import listening, serve
    relaunch_for_serve()  # the real `bptt-sim serve` starts again with the allocator that frees (allocator.py)
    if args.file is not None:
        factory = _factory(args.file)
    else:
        from simulator.app import create_app as factory
    serve(factory, port=args.port, address=args.address, show=args.show, ready=listening, procs=args.procs,
          websocket_origin=args.allow_websocket_origin or None, allow_seeds=args.allow_seeds, max_compare=args.max_compare)
    return 0


def _factory(name):
    """A function building the app for each browser session, all starting from FILE's state and view.
    The document is read and checked once, here, so a bad file stops the command at once."""
    from simulator import document
    from simulator.lessons.registry import LESSONS
    if name in LESSONS:
        def create():
            from simulator.app import create_app
            return create_app(lesson=name)
        return create
    doc = open_document(name)[1]  # the same refusals as train and check

    def create():  # with the document's view options (time step, selection, tab, lecture mode), if it has them
        from simulator.app import create_app
        return create_app(session=document.session_from_document(doc, validated=True), view=doc.get("view"), doc=doc)
    return create


# -- the parser -------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr like every other error."""
    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"bptt-sim: error: {message} (see {self.prog} --help)\n")


def build_parser():
    parser = _Parser(prog="bptt-sim", description="A visual simulator of recurrent nets "
                                     "trained by backpropagation through time (Hinton, lecture 7b).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    file_help = "a saved document (.json) or a lesson's short name (the README's Lessons table lists them)"

    train = sub.add_parser("train", help="train headless and report (optionally save the trained document)")
    train.add_argument("file", metavar="FILE", help=file_help)
    train.add_argument("--updates", type=_count, required=True, help="number of weight updates")
    train.add_argument("--seed", type=_seed, help="seed of the initial weights and cases (lesson names only)")
    train.add_argument("--out", metavar="OUT.json", help="write the trained state as a document")
    train.add_argument("--set", action="append", metavar="NAME=V", help="a training setting, e.g. learning_rate=0.1")
    train.add_argument("--json", action="store_true",
                       help="print one JSON object: loss, updates, solved (the lesson's criterion), lesson measures")
    cli_train.add_options(train)
    train.set_defaults(run=_train)

    check = sub.add_parser("check", help="compare bptt's gradients with finite differences")
    check.add_argument("file", metavar="FILE", help=file_help)
    check.add_argument("--eps", type=float, default=1e-6, help="finite-difference step (default 1e-6)")
    check.add_argument("--tolerance", type=float, default=1e-5,
                       help="largest accepted |difference| per unit of max(1, largest gradient) (default 1e-5)")
    check.add_argument("--rows", type=int, default=12, help="rows of the table (largest differences first)")
    check.add_argument("--all", action="store_true", help="list every parameter")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(run=_check)

    new = sub.add_parser("new", help="make a document of a new net: from a CSV file of sequences (docs/data.md), "
                         "or blank")
    new.add_argument("--data", metavar="FILE.csv", help="the cases: case,t,in:<unit>,...,target:<unit>,...[,split]")
    new.add_argument("--inputs", metavar="a,b", help="a blank net's input units (without --data)")
    new.add_argument("--targets", metavar="y", help="a blank net's target units (without --data)")
    new.add_argument("--steps", type=int, metavar="T", help="a blank net's time steps T (without --data)")
    new.add_argument("--hidden", type=_count, required=True, metavar="H", help="number of hidden units")
    new.add_argument("--activation", choices=["logistic", "tanh", "linear"], help="every unit's (default logistic)")
    new.add_argument("--loss", choices=["squared", "cross_entropy"],
                     help="default cross_entropy, or squared if a target is outside [0, 1]")
    new.add_argument("--seed", type=_seed, default=0, help="seed of the random initial weights (default 0)")
    new.add_argument("--out", metavar="DOC.json", required=True, help="the document to write")
    new.set_defaults(run=_new)

    export = sub.add_parser("export", help="write a document's cases as CSV (docs/data.md)")
    export.add_argument("file", metavar="FILE", help=file_help)
    export.add_argument("--out", metavar="FILE.csv", help="the CSV file to write (default: standard output)")
    export.set_defaults(run=_export)

    sweep = sub.add_parser("sweep", help="train over many seeds and settings on Dask and report the success rate")
    sweep.add_argument("file", metavar="LESSON|FILE", nargs="?", help=file_help)
    sweep.add_argument("--list", action="store_true", help="print the lesson names, one a line")
    sweep.add_argument("--seeds", default="10", help="N (seeds 0..N-1), A-B or a comma list (default 10)")
    sweep.add_argument("--updates", type=_count, help="updates per run (default: the lesson's own budget)")
    sweep.add_argument("--set", action="append", metavar="NAME=V1,V2",
                       help="sweep a training setting over these values (repeatable: every combination)")
    sweep.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="an existing Dask scheduler (default: a local "
                       "cluster of processes, one per core)")
    sweep.add_argument("--workers", type=_workers, help="workers of the local cluster (default: the cores)")
    sweep.add_argument("--json", action="store_true", help="print one JSON object (runs and summary) last")
    sweep.add_argument("--out", metavar="runs.csv", help="write the runs as CSV")
    sweep.add_argument("--plot", metavar="sweep.html", help="write a standalone page of loss curves and the table")
    sweep.set_defaults(run=_sweep)

    serve = sub.add_parser("serve", help="start the app in the browser")
    serve.add_argument("file", metavar="FILE", nargs="?", help=f"{file_help} (default: the default lesson)")
    serve.add_argument("--port", type=int, default=5006, help="port (default 5006; 0 picks a free one)")
    serve.add_argument("--address", default="localhost",
                       help="address to listen on (default localhost; 0.0.0.0 for a class network)")
    serve.add_argument("--show", action="store_true", help="open a browser tab")
    serve.add_argument("--allow-websocket-origin", action="append", metavar="HOST[:PORT]",
                       help="extra host:port the page may be opened from (e.g. the lecturer's address)")
    serve.add_argument("--allow-seeds", action="store_true", default=None, help="pages may run '10 seeds' here (default: localhost only)")
    serve.add_argument("--max-compare", type=int, choices=range(2, 5), metavar="K",
                       help="the most runs a comparison (Compare mode) may have on this server: 2 to 4 (default 4)")
    from simulator.serving.processes import add_argument as add_procs
    add_procs(serve)
    serve.set_defaults(run=_serve)
    return parser


def _version():
    """The installed distribution's version (pyproject.toml is its one source)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("bptt-sim")
    except PackageNotFoundError:  # a checkout on PYTHONPATH that was never installed
        return "unknown (not installed)"


def main(argv=None):
    _safe_output()
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 0
    except (ValueError, OSError) as exc:
        print(f"bptt-sim: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug: still one line for the user, the kind of error for us
        print(f"bptt-sim: internal error ({type(exc).__name__}): {_one_line(exc)}", file=sys.stderr)
        return 3


def _safe_output():
    """A name from a document may hold any character JSON can, a lone surrogate ("\\ud800")
    too, which no encoding writes: print such characters escaped instead of failing mid-table."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _one_line(exc):
    return " ".join(str(exc).split()) or type(exc).__name__
