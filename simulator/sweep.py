"""``bptt-sim sweep``: a lesson (or document) trained over many seeds and settings on Dask.

Each (seed, settings) pair is one ``dask.distributed`` task running exactly what ``bptt-sim
train`` runs for that seed and those settings (``run_one`` of simulator/serving/runs.py, which the
lesson panel's "10 seeds" runs too), checking the lesson's success criterion (lesson.py's
``solved``) every ``every`` updates on the way. By default the tasks go
to a local cluster of processes, one single-threaded worker per core; ``--scheduler`` sends
them to an existing cluster. The numbers here are plain data: the table, JSON, CSV and page are
made from the list of runs.
"""
import csv
import itertools
import sys

import numpy as np
from distributed import WorkerPlugin

from simulator.cli import jsonable, open_document
from simulator.serving import runs as R
from simulator.serving.runs import apply_settings, summary  # noqa: F401 (train --set and the tests use them here)

# The settings --set may sweep: the Session's training settings, with how to read a value.
SETTINGS = {"learning_rate": float, "momentum": float, "clip": float, "steps": int,
            "activation": str, "loss": str, "learn_h0": "bool", "optimizer": str, "batch_size": int,
            "weight_decay": float, "decay_all": "bool", "truncate": int, "stop_at_loss": float,
            "stop_when_right": "bool", "stop_at_updates": int, "radius": float}
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


def source_of(file):
    """What a run starts from: a lesson's name as it is, a document FILE read and checked once here
    (so every run, on any worker, gets the same checked dict and no worker needs the file)."""
    from simulator.lessons.registry import LESSONS
    return file if file in LESSONS else open_document(file)[1]


def open_run(file, seed, settings):
    """The Session a run starts from: FILE at ``seed`` with ``settings`` applied (ValueError,
    with the reason, for a setting the lesson refuses)."""
    return R.open_run(source_of(file), seed, settings)


def budget(file):
    """The lesson's own number of updates (for a document: its lesson's)."""
    from simulator.lessons.registry import REGISTRY
    return REGISTRY[open_document(file)[0].lesson].budget if file not in REGISTRY else REGISTRY[file].budget


def run_one(file, seed, settings, updates, every=None, points=200):
    """One run of FILE (serving/runs.py's run_one, which the lesson panel's "10 seeds" runs too)."""
    return R.run_one(source_of(file), seed, settings, updates, every, points)


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
    source = source_of(file)  # a bad FILE stops here, before any cluster starts
    for c in combos:  # and a setting the lesson refuses
        R.open_run(source, seeds[0], c)
    cluster = None if scheduler else LocalCluster(n_workers=workers or R.cores(), threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    client = Client(scheduler or cluster)
    futures = []
    try:
        client.register_plugin(WarmKernels())
        futures = [client.submit(R.run_one, source, s, c, updates, pure=False) for c in combos for s in seeds]
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

