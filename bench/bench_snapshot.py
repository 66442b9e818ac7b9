"""Benchmark: snapshot import of a large HMIS export, and type-ahead search over it.

    python bench/bench_snapshot.py [--patients 1000000] [--inpatients 2500] [--queries 400] [--data DIR]

Prints one line per figure, each with its goal or its named baseline:

    snapshot.import_1M_s      24.1  (goal 30)
    search.typeahead_p95_ms    3.2  vs sqlite-utils ranked 120.5 (x37.6 faster)

The baseline is sqlite-utils' own ``table.search()`` (FTS5 ranked by bm25) on the same FTS index, with the
same multi-word prefix query, in the same run. Our figure is the whole ``downtime.search.search()`` call
(query folding, the unranked FTS query, ranking the candidates in Python, building the results).

The generated export is kept in ``--data`` (default: a folder in the system temp dir) and reused when
it was made with the same size and seed, because writing a million patients takes longer than importing them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

try:
    import downtime  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from downtime.demo_data import generate_export
from downtime.names import query_tokens
from downtime.search import search
from downtime.snapshot import build_snapshot, open_snapshot

IMPORT_GOAL_S = 30.0
TYPEAHEAD_P95_GOAL_MS = 5.0
SEED = 20250115


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    size = _size_label(args.patients)
    _machine()
    export = _export(args)
    dest = Path(tempfile.mkdtemp(prefix="downtime-bench-snap-")) / "snapshot.db"
    key = os.urandom(32)
    try:
        started, cpu = time.perf_counter(), os.times()
        report = build_snapshot([export], dest, key)
        seconds, after = time.perf_counter() - started, os.times()
        _line(f"snapshot.import_{size}_s", seconds, f"(goal {IMPORT_GOAL_S:g})")
        own = after.user + after.system - cpu.user - cpu.system
        workers = after.children_user + after.children_system - cpu.children_user - cpu.children_system
        _line(f"snapshot.import_{size}_cpu_s", own + workers, f"(main {own:.1f} + parsers {workers:.1f})")
        # Wall seconds depend on what else runs on the machine; CPU seconds much less so.
        print(f"# phases, wall s: {json.dumps(report.timings)}", flush=True)
        print(f"# phases, main-process CPU s: {json.dumps(report.cpu_timings)}", flush=True)
        _line("snapshot.import_patients_per_s", report.counts["patients"] / seconds)
        _line("snapshot.import_peak_rss_mb", _peak_rss_mb(), "(main process and largest worker)")
        _line("snapshot.file_mb", dest.stat().st_size / 1e6)
        print(f"# imported {json.dumps(report.counts)}; {report.problems_total} bad lines", flush=True)
        with open_snapshot(dest, key) as snap:
            _search_figures(snap.db, args.queries)
    finally:
        for path in dest.parent.iterdir():
            path.unlink()
        dest.parent.rmdir()
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--inpatients", type=int, default=2500)
    parser.add_argument("--queries", type=int, default=400, help="type-ahead queries timed (each engine)")
    parser.add_argument("--data", type=Path, default=None, help="where to keep the generated export")
    return parser.parse_args(argv)


def _export(args: argparse.Namespace) -> Path:
    folder = args.data or Path(tempfile.gettempdir()) / f"downtime-bench-export-{args.patients}-{args.inpatients}"
    stamp = folder / ".bench-generated"  # not *.json: the importer would read it as export data
    wanted = {"patients": args.patients, "inpatients": args.inpatients, "seed": SEED}
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        print(f"# reusing the export in {folder}", flush=True)
        return folder
    started = time.perf_counter()
    generate_export(folder, patients=args.patients, inpatients=args.inpatients, seed=SEED)
    _line(f"demo.generate_{_size_label(args.patients)}_s", time.perf_counter() - started, "(goal: well under 60)")
    stamp.write_text(json.dumps(wanted))
    return folder


def _machine() -> None:
    """Context for reading the figures: CPUs, how busy the machine is, and the speed of one core."""
    started = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    _line("machine.cpus", os.cpu_count() or 0)
    _line("machine.load_avg_1min", os.getloadavg()[0], "(other work competing for the CPUs)")
    _line("machine.py_loop_10M_s", time.process_time() - started, "(a recent desktop core: about 0.4)")


# -- search ---------------------------------------------------------------------------------------

def _search_figures(db, count: int) -> None:
    queries = _typeahead_queries(db, count)
    for query in queries[:50]:  # warm the page cache as a ward PC in use would have it
        search([db], query)
    ours = _timings(lambda q: search([db], q), queries)
    table = db["patients"]
    theirs = _timings(lambda q: list(table.search(_ranked_query(q), limit=20)), queries)
    _compare("search.typeahead_p50_ms", _percentile(ours, 50), _percentile(theirs, 50))
    _compare("search.typeahead_p95_ms", _percentile(ours, 95), _percentile(theirs, 95),
             f"(goal {TYPEAHEAD_P95_GOAL_MS:g})")
    sound = _timings(lambda q: search([db], q, sound_alike=True), queries)
    _line("search.sound_alike_p95_ms", _percentile(sound, 95))
    ids = _identifier_queries(db, 200)
    _line("search.identifier_p95_ms", _percentile(_timings(lambda q: search([db], q), ids), 95),
          "(UHID, phone, ABHA in mixed grouping)")


def _typeahead_queries(db, count: int) -> list[str]:
    """What a clerk types, keystroke by keystroke, for names drawn at random from the snapshot."""
    rng = random.Random(7)
    total = db.execute("SELECT max(rid) FROM patients").fetchone()[0]
    queries: list[str] = []
    while len(queries) < count:
        row = db.execute("SELECT name FROM patients WHERE rid = ?", [rng.randint(1, total)]).fetchone()
        words = [w for w in (row[0] if row else "").replace(".", " ").split() if len(w) > 1][:2]
        if not words:
            continue
        typed = ""
        for i, word in enumerate(words):
            for cut in range(2, len(word) + 1, 2):
                queries.append((typed + word[:cut]).lower())
            typed += word + " "
            if i == 0 and len(words) > 1:
                queries.append(typed.lower() + words[1][0].lower())
    return queries[:count]


def _identifier_queries(db, count: int) -> list[str]:
    rows = db.execute("SELECT uhid, phone, abha FROM patients WHERE abha IS NOT NULL LIMIT ?", [count]).fetchall()
    out = []
    for i, (uhid, phone, abha) in enumerate(rows):
        out.append([uhid, f"+91 {phone[:5]} {phone[5:]}", f"{abha[:2]}-{abha[2:6]} {abha[6:10]}{abha[10:]}"][i % 3])
    return out


def _ranked_query(query: str) -> str:
    """The same multi-word prefix query, in the form sqlite-utils passes to FTS5 MATCH."""
    return " ".join(f'"{t}"*' for t in query_tokens(query))


def _timings(run: Callable[[str], object], queries: list[str]) -> list[float]:
    out = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        out.append((time.perf_counter() - started) * 1000)
    return out


def _percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1] if len(values) > 1 else values[0]


# -- output ---------------------------------------------------------------------------------------

def _line(name: str, value: float, note: str = "") -> None:
    print(f"{name:<34} {value:8.1f}  {note}".rstrip(), flush=True)


def _compare(name: str, ours: float, baseline: float, note: str = "") -> None:
    ratio = baseline / ours if ours else float("inf")
    print(f"{name:<34} {ours:8.2f}  vs sqlite-utils ranked {baseline:.1f} (x{ratio:.1f} faster) {note}".rstrip(),
          flush=True)


def _size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024  # kB on Linux


if __name__ == "__main__":  # required: the import's worker processes are started with "spawn"
    sys.exit(main())
