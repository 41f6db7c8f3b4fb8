"""``bptt-sim sweep``: a lesson (or document) trained over many seeds and settings on Dask.

Each (seed, settings) pair is one ``dask.distributed`` task running exactly what ``bptt-sim
train`` runs for that seed and those settings (``run_one``), checking the lesson's success
criterion (lesson.py's ``solved``) every ``every`` updates on the way. By default the tasks go
to a local cluster of processes, one single-threaded worker per core; ``--scheduler`` sends
them to an existing cluster. The numbers here are plain data: the table, JSON, CSV and page are
made from the list of runs.
"""
import csv
import itertools
import statistics
import sys

import numpy as np
from distributed import WorkerPlugin

from simulator.cli import jsonable, open_document

# The settings --set may sweep: the Session's training settings, with how to read a value.
SETTINGS = {"learning_rate": float, "momentum": float, "clip": float, "steps": int,
            "activation": str, "loss": str, "learn_h0": "bool", "optimizer": str, "batch_size": int,
            "weight_decay": float, "decay_all": "bool", "truncate": int, "stop_at_loss": float,
            "stop_when_right": "bool", "stop_at_updates": int}
MOST_SEEDS = 100_000


def parse_seeds(text):
    """'20' -> seeds 0..19; '0-19' -> 0..19; '1,5,9' -> those. ValueError naming what is expected."""
    want = "expected N (seeds 0..N-1), A-B (A..B) or a comma list of seeds"
    text = str(text).strip()
    try:
        if "-" in text:
            lo, hi = (int(v) for v in text.split("-"))
            seeds = list(range(lo, hi + 1))
        elif "," in text:
            seeds = [int(v) for v in text.split(",")]
        else:
            seeds = list(range(int(text)))
    except ValueError:
        raise ValueError(f"--seeds {text!r}: {want}") from None
    if not seeds or len(seeds) > MOST_SEEDS or min(seeds) < 0 or max(seeds) >= 2 ** 31 or len(set(seeds)) < len(seeds):
        raise ValueError(f"--seeds {text!r}: {want}, 1..{MOST_SEEDS} distinct seeds in 0..{2 ** 31 - 1}")
    return seeds


def parse_set(items):
    """['learning_rate=0.1,0.2', ...] -> {name: [values]}; ValueError for an unknown name or a
    value that does not read. Whether a value fits the lesson is the Session's to say."""
    grid = {}
    for item in items or ():
        name, eq, values = str(item).partition("=")
        key = name.strip().replace("-", "_")
        if not eq or key not in SETTINGS:
            raise ValueError(f"--set {item!r}: expected NAME=V1,V2 with NAME one of {', '.join(SETTINGS)}")
        kind, parsed = SETTINGS[key], []
        for v in values.split(","):
            v = v.strip()
            try:
                if kind == "bool":
                    if v.lower() not in ("true", "false", "1", "0"):
                        raise ValueError
                    parsed.append(v.lower() in ("true", "1"))
                else:
                    parsed.append(kind(v) if v else kind(None))
            except (TypeError, ValueError):
                raise ValueError(f"--set {item!r}: {v!r} is not a valid {key} value") from None
        if kind is float and not all(np.isfinite(parsed)):
            raise ValueError(f"--set {item!r}: values must be finite numbers")
        grid[key] = parsed
    return grid


def combinations(grid):
    """Every settings combination of the grid, as dicts ({} for an empty grid)."""
    names = list(grid)
    return [dict(zip(names, values)) for values in itertools.product(*(grid[n] for n in names))]


def open_run(file, seed, settings):
    """The Session a run starts from: FILE at ``seed`` with ``settings`` applied (ValueError,
    with the reason, for a setting the lesson refuses)."""
    from simulator.lessons.registry import LESSONS
    session, _ = open_document(file, seed if file in LESSONS else None)
    if file not in LESSONS:
        session.seed = seed  # a document: its lesson and settings, new weights and cases from seed
    return apply_settings(session, settings)


def apply_settings(session, settings):
    """Set each training setting as the app's controls do; ValueError if the Session refuses one."""
    for name, value in settings.items():
        old = getattr(session, name)
        try:
            setattr(session, name, value)
        except ValueError as exc:
            raise ValueError(f"{name}={value!r}: {exc}") from None
        if getattr(session, name) != value and old != value:  # the Session put it back: say why
            raise ValueError(f"{name}={value!r}: {session.message}")
    return session


def budget(file):
    """The lesson's own number of updates (for a document: its lesson's)."""
    from simulator.lessons.registry import REGISTRY
    return REGISTRY[open_document(file)[0].lesson].budget if file not in REGISTRY else REGISTRY[file].budget


def is_solved(session):
    from simulator.lessons.registry import solved
    s = session
    if s.task_info is None or not np.isfinite(s.loss_value):
        return False
    return solved(s.lesson, s.net, s.lesson_spec, s.task_info, s.sequences, s.gradients)


def run_one(file, seed, settings, updates, every=None, points=200):
    """One run: train exactly as ``bptt-sim train`` does, checking the criterion every ``every``
    updates. Returns a dict: seed, settings, solved (at the end), updates_to_solve (the first
    check where it held, or None), loss, updates, diverged and ``curve`` (<= points losses)."""
    session = open_run(file, seed, settings)
    every = every or max(1, updates // 100)
    first = 0 if is_solved(session) else None
    ok, done = True, 0
    while done < updates and ok:
        n = min(every, updates - done)
        ok = session.step(n)
        done += n
        if first is None and ok and is_solved(session):
            first = session.updates
    losses = [loss for _, loss in session.history]
    pick = np.unique(np.linspace(0, len(losses) - 1, min(points, len(losses))).astype(int)) if losses else []
    end = is_solved(session) and ok
    return {"seed": seed, "settings": dict(settings), "solved": bool(end),
            "updates_to_solve": first if end else None, "loss": float(session.loss_value),
            "updates": int(session.updates), "diverged": not ok,
            "curve": [[int(session.history[k][0]), float(losses[k])] for k in pick]}


def summary(runs):
    """One row per settings combination: runs, solved, median updates to solve, loss quartiles."""
    rows = {}
    for r in runs:
        rows.setdefault(tuple(sorted(r["settings"].items())), []).append(r)
    out = []
    for key, group in rows.items():
        reached = [r["updates_to_solve"] for r in group if r["solved"]]
        losses = [r["loss"] for r in group if np.isfinite(r["loss"])]
        q = [float(v) for v in np.quantile(losses, [0.25, 0.5, 0.75])] if losses else [None] * 3
        out.append({"settings": dict(key), "runs": len(group), "solved": len(reached),
                    "median_updates_to_solve": statistics.median(reached) if reached else None,
                    "loss_quartiles": q})
    return out


def table(rows):
    """The summary as aligned text, one line per settings combination."""
    lines = [f"{'settings':<34}{'solved':>10}{'median updates':>16}{'loss q1 / median / q3':>34}"]
    for row in rows:
        name = " ".join(f"{k}={v}" for k, v in row["settings"].items()) or "(the lesson's)"
        med = row["median_updates_to_solve"]
        q = " / ".join("-" if v is None else f"{v:.4g}" for v in row["loss_quartiles"])
        lines.append(f"{name:<34}{row['solved']:>5}/{row['runs']:<4}{'-' if med is None else f'{med:g}':>16}{q:>34}")
    return "\n".join(lines)


def write_csv(path, runs):
    names = sorted({k for r in runs for k in r["settings"]})
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["seed", *names, "solved", "updates_to_solve", "loss", "updates", "diverged"])
        for r in runs:
            w.writerow([r["seed"], *(r["settings"].get(n, "") for n in names), r["solved"],
                        "" if r["updates_to_solve"] is None else r["updates_to_solve"], repr(r["loss"]),
                        r["updates"], r["diverged"]])


def as_json(runs):
    return jsonable({"runs": [{k: v for k, v in r.items() if k != "curve"} for r in runs], "summary": summary(runs)})


def warm_kernels():
    """Compile (or load from Numba's cache) the kernels once in this process."""
    from simulator.lessons.registry import DEFAULT_LESSON
    open_run(DEFAULT_LESSON, 0, {}).step(2)


class WarmKernels(WorkerPlugin):
    """A worker plugin: each Dask worker compiles the kernels when it starts, not in its first run."""
    name = "bptt-sim-warm-kernels"
    idempotent = True

    def setup(self, worker):
        warm_kernels()



def sweep(file, seeds, grid, updates, scheduler=None, workers=None, progress=True):
    """Run every (seed, settings) on Dask; the runs' dicts in (settings, seed) order."""
    from distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm
    combos = combinations(grid)
    open_run(file, seeds[0], {})  # a bad FILE stops here, before any cluster starts
    for c in combos:  # and a setting the lesson refuses
        open_run(file, seeds[0], c)
    cluster = None if scheduler else LocalCluster(n_workers=workers or _cores(), threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    client = Client(scheduler or cluster)
    futures = []
    try:
        client.register_plugin(WarmKernels())
        futures = [client.submit(run_one, file, s, c, updates, pure=False) for c in combos for s in seeds]
        bar = tqdm(total=len(futures), unit="run", file=sys.stderr, disable=not progress, desc=str(file))
        solved = 0
        for fut in as_completed(futures):
            solved += fut.result()["solved"]
            bar.update(1)
            bar.set_postfix(solved=f"{solved}/{bar.n}", refresh=False)
        bar.close()
        return [f.result() for f in futures]
    except KeyboardInterrupt:
        client.cancel(futures)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def plot(path, runs, title):
    """A standalone Bokeh page: every run's loss curve (thin; green solved, red not) beside the table."""
    from bokeh.embed import file_html
    from bokeh.layouts import row
    from bokeh.models import ColumnDataSource, DataTable, TableColumn
    from bokeh.plotting import figure
    from bokeh.resources import INLINE
    fig = figure(title=f"{title}: loss per run", x_axis_label="update", y_axis_label="loss",
                 y_axis_type="log", width=720, height=440)
    for solved, colour in ((False, "#d62728"), (True, "#2ca02c")):
        chosen = [r for r in runs if r["solved"] == solved and r["curve"]]
        if chosen:
            fig.multi_line([[p[0] for p in r["curve"]] for r in chosen],
                           [[max(p[1], 1e-12) for p in r["curve"]] for r in chosen],
                           line_width=1, line_alpha=0.5, color=colour,
                           legend_label=f"{'solved' if solved else 'not solved'} ({len(chosen)})")
    rows = summary(runs)
    data = {"settings": [" ".join(f"{k}={v}" for k, v in r["settings"].items()) or "(the lesson's)" for r in rows],
            "solved": [f"{r['solved']}/{r['runs']}" for r in rows],
            "median": ["-" if r["median_updates_to_solve"] is None else f"{r['median_updates_to_solve']:g}" for r in rows],
            "loss": [" / ".join("-" if v is None else f"{v:.4g}" for v in r["loss_quartiles"]) for r in rows]}
    columns = [TableColumn(field="settings", title="settings"), TableColumn(field="solved", title="solved"),
               TableColumn(field="median", title="median updates to solve"),
               TableColumn(field="loss", title="final loss q1 / median / q3")]
    page = row(fig, DataTable(source=ColumnDataSource(data), columns=columns, width=560, height=440, index_position=None))
    with open(path, "w", encoding="utf-8") as f:
        f.write(file_html(page, INLINE, title=f"bptt-sim sweep: {title}"))


def _cores():
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
