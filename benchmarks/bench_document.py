"""How long loading a large document takes: JSON parsing and the checks (issue 12).

The document: binary addition after 3 updates, its batch repeated to MAX_CELLS cells (about
3.9 MB of JSON, random numbers in data.X). Times the checks alone (``validate``: the schema,
then what a schema cannot say), the schema alone (``schema.check``, with and without its fast
scan of long lists) and ``parse`` (json.loads + validate). CPU time of this process, best of
--rounds, so the other programs on a shared machine count less.

    python benchmarks/bench_document.py
    python benchmarks/bench_document.py --rounds 3 --no-plain   # quick; skip the slow plain schema

This is a script, not a test: timings depend on the machine.
"""
import argparse
import json
import time

import numpy as np

from simulator import document as D
from simulator.document import schema as S
from simulator.state.session import Session


def big_document():
    s = Session(lesson="binary-addition")
    s.step(3)
    doc = D.to_document(s)
    B, T1, N = np.shape(doc["data"]["X"])
    for key in "XKYM":
        doc["data"][key] = doc["data"][key] * (D.MAX_CELLS // (B * T1 * N))
    X = np.array(doc["data"]["X"])
    doc["data"]["X"] = (X * np.random.default_rng(0).random(X.shape)).tolist()
    return D.dumps(doc)


def best(call, rounds):
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        call()
        times.append(time.process_time() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-plain", action="store_true", help="skip the schema without its fast scan (~12 s a round)")
    args = ap.parse_args()
    text = big_document()
    doc = json.loads(text)
    print(f"document: {len(text) / 1e6:.2f} MB, data {np.shape(doc['data']['X'])}")
    rows = [("validate (schema + code)", lambda: D.validate(doc)),
            ("schema.check (fast scan)", lambda: S.check(doc)),
            ("parse (json.loads + validate)", lambda: D.parse(text))]
    if not args.no_plain:
        rows.append(("schema, plain jsonschema", lambda: S.check(doc, fast=False)))
    for name, call in rows:
        print(f"{name:32} {best(call, args.rounds if 'plain' not in name else 1):7.3f} s CPU")


if __name__ == "__main__":
    main()
