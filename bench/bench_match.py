"""Patient matching: figures on the synthetic evaluation set, side by side with Splink, and a scale run.

The set (``sync/match_eval.py``) has 20k MPI patients and 2k downtime registrations by default, a third of
them new patients, many of those relatives of MPI patients. Both matchers see the same data in the same run:

* **ours**: ``sync.match.match_all`` (deterministic UHID/ABHA, blocking, field evidence, review queue);
* **Splink** 4+ on DuckDB with default-style settings: Jaro-Winkler levels on the name, birth year (from the
  dob, or from the age), sex, phone and PIN code; u by random sampling, m by EM; a link where the match
  probability is >= 0.9. Splink is not a dependency of the toolkit: if it is missing, the command to
  install it is printed and our figures are reported alone.

``--scale`` also times 50k registrations against a 1M-row MPI read from a CSV file, in a fresh process
whose peak memory (``resource.getrusage``) is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sync.match import match_all
from sync.match_eval import GOALS, EvalSet, Figures, evaluate, generate
from sync.mpi import LoadReport, MpiIndex, write_mpi_csv
from sync.person import parse_day, parse_dob

SPLINK_INSTALL = "pip install 'splink>=4'"
SPLINK_THRESHOLD = 0.9
WORKERS = os.cpu_count() or 1  # the scale run matches on every core (2k registrations are faster on one)


def run_ours(eval_set: EvalSet) -> tuple[Figures, float]:
    started = time.perf_counter()
    decisions = match_all(eval_set.registrations, MpiIndex.build(eval_set.mpi))
    return evaluate(decisions, eval_set.truth), time.perf_counter() - started


# -- Splink -------------------------------------------------------------------------------------------------

def run_splink(eval_set: EvalSet) -> tuple[Figures, float] | None:
    """Splink's figures on the same set, or None if Splink is not installed."""
    try:
        import splink.comparison_level_library as cll
        import splink.comparison_library as cl
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    except ImportError:
        return None
    started = time.perf_counter()
    db_api = DuckDBAPI()
    mpi = db_api.register([_splink_row(r.as_row(), r.uhid) for r in eval_set.mpi], table_name="mpi")
    regs = db_api.register([_splink_row(r, str(r["entry_uuid"])) for r in eval_set.registrations],
                           table_name="registrations")
    birth_year = cl.CustomComparison([
        cll.NullLevel("birth_year"), cll.ExactMatchLevel("birth_year"),
        cll.AbsoluteDifferenceLevel("birth_year", 2), cll.ElseLevel()], output_column_name="birth_year")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[cl.NameComparison("name"), birth_year, cl.ExactMatch("sex"), cl.ExactMatch("phone"),
                     cl.ExactMatch("pincode")],
        blocking_rules_to_generate_predictions=[block_on("phone"), block_on("first_word"),
                                                block_on("pincode", "birth_year")],
    )
    linker = Linker([mpi, regs], settings, log_level="ERROR")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name", "birth_year"), block_on("phone", "first_word")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_word"))
    pairs = linker.inference.predict(threshold_match_probability=SPLINK_THRESHOLD)
    best: dict[str, tuple[float, str]] = {}
    registration_ids = set(eval_set.truth)
    for row in pairs.as_record_list():
        left, right = str(row["unique_id_l"]), str(row["unique_id_r"])
        entry, uhid = (left, right) if left in registration_ids else (right, left)
        if row["match_probability"] > best.get(entry, (-1.0, ""))[0]:
            best[entry] = (row["match_probability"], uhid)
    seconds = time.perf_counter() - started
    return evaluate([_SplinkDecision(entry, best.get(entry)) for entry in eval_set.truth], eval_set.truth), seconds


def _splink_row(row: dict[str, Any], unique_id: str) -> dict[str, Any]:
    """A row as a default-style Splink model sees it: the name lower-cased, a birth year, raw fields."""
    name = " ".join(str(row.get("name") or "").lower().split())
    _, year = parse_dob(row.get("dob"))
    if year is None and row.get("age_years") not in (None, ""):
        day = parse_day(row.get("recorded_at"))
        year = day.year - int(row["age_years"]) if day else None
    phone = "".join(ch for ch in str(row.get("phone") or "") if ch.isdigit())[-10:] or None
    return {"unique_id": unique_id, "name": name or None, "first_word": name.split(" ")[0] if name else None,
            "birth_year": year, "sex": row.get("sex"), "phone": phone, "pincode": row.get("pincode") or None}


class _SplinkDecision:
    """Enough of a ``MatchDecision`` for ``evaluate``: Splink links or leaves new, it has no review."""

    def __init__(self, entry: str, best: tuple[float, str] | None):
        self.entry_uuid = entry
        self.decision = "matched" if best else "new"
        self.uhid = best[1] if best else None
        self.same_as: list[str] = []
        self.maybe_same_as: list[str] = []


# -- report ---------------------------------------------------------------------------------------------------

def report(ours: Figures, ours_seconds: float, splink: tuple[Figures, float] | None, splink_wanted: bool) -> None:
    other = splink[0] if splink else None

    def line(name: str, value: float, goal: str, theirs: float | None, unit: str = "") -> None:
        baseline = f"splink {theirs:.2f}{unit}" if theirs is not None else "splink not run"
        print(f"match.{name} {value:.2f}{unit} ({goal}; {baseline})")

    line("wrong_links_pct", ours.wrong_links_pct, f"goal <= {GOALS['wrong_links_pct']}",
         other.wrong_links_pct if other else None)
    line("recall_pct", ours.recall_pct, f"goal >= {GOALS['recall_pct']:.0f}", other.recall_pct if other else None)
    line("review_pct", ours.review_pct, f"goal <= {GOALS['review_pct']:.0f}", other.review_pct if other else None)
    line("precision_pct", ours.precision_pct, "links that are right", other.precision_pct if other else None)
    print(f"match.wrong_links {ours.wrong_links} of {ours.registrations} registrations "
          f"(splink {other.wrong_links if other else '-'}); wrong links by kind of registration: "
          f"ours {dict(ours.wrong_by_kind) or 'none'}, splink {dict(other.wrong_by_kind) if other else '-'}")
    print(f"match.duplicates_found {ours.duplicate_pairs_found} of {ours.duplicate_pairs} pairs registered twice, "
          f"{ours.duplicate_pairs_offered} more offered for review ({ours.duplicate_pairs_wrong} wrong)")
    line("seconds", ours_seconds, f"{ours.registrations} registrations", splink[1] if splink else None, " s")
    if splink is None and splink_wanted:
        print(f"splink is not installed; to compare, run: {SPLINK_INSTALL}")
    print(f"match.goals_met {'yes' if ours.meets_goals else 'NO'}")


# -- scale ------------------------------------------------------------------------------------------------------

def scale(mpi_rows: int, registrations: int, seed: int) -> None:
    """Write a large MPI as CSV, then load and match it in a fresh process (so its peak memory is its own)."""
    with tempfile.TemporaryDirectory(prefix="bench-match-") as tmp:
        started = time.perf_counter()
        eval_set = generate(seed, mpi_rows, registrations)
        write_mpi_csv(eval_set.mpi, Path(tmp, "mpi.csv"))
        Path(tmp, "registrations.json").write_text(json.dumps(eval_set.registrations))
        Path(tmp, "truth.json").write_text(json.dumps({k: [v.uhid, v.kind] for k, v in eval_set.truth.items()}))
        print(f"scale: generated {len(eval_set.mpi)} MPI rows and {registrations} registrations "
              f"in {time.perf_counter() - started:.0f} s", flush=True)
        del eval_set
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        subprocess.run([sys.executable, __file__, "--scale-worker", tmp], check=True, env=env)


def scale_worker(folder: Path) -> None:
    started = time.perf_counter()
    load = LoadReport()
    index = MpiIndex.load(folder / "mpi.csv", "csv", load)
    loaded = time.perf_counter() - started
    registrations = json.loads((folder / "registrations.json").read_text())
    truth = json.loads((folder / "truth.json").read_text())
    started = time.perf_counter()
    decisions = match_all(registrations, index, workers=WORKERS)
    matched = time.perf_counter() - started
    wrong = Counter(truth[d.entry_uuid][1] for d in decisions if d.decision == "matched"
                    and d.uhid != truth[d.entry_uuid][0])
    known = sum(1 for uhid, _ in truth.values() if uhid)
    linked = sum(1 for d in decisions if d.decision == "matched" and d.uhid == truth[d.entry_uuid][0])
    review = sum(1 for d in decisions if d.decision == "review")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest forked worker
    print(f"match.scale_load_seconds {loaded:.0f} ({len(index)} MPI rows from CSV, {len(load.problems)} bad lines)")
    print(f"match.scale_match_seconds {matched:.0f} ({len(decisions)} registrations, "
          f"{1000 * matched / len(decisions):.1f} ms each on {WORKERS} processes; "
          f"wrong links {100 * wrong.total() / len(decisions):.2f} % {dict(wrong)}, "
          f"recall {100 * linked / known:.1f} %, review {100 * review / len(decisions):.1f} %)")
    print(f"match.scale_peak_memory_mb {peak_mb:.0f} (goal: a few GB; largest of {WORKERS} forked workers "
          f"{worker_mb:.0f}, sharing the index pages they do not touch)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mpi", type=int, default=20_000, help="MPI patients in the evaluation set")
    parser.add_argument("--registrations", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-splink", action="store_true", help="report our figures only")
    parser.add_argument("--scale", action="store_true", help="also run 50k registrations against a 1M MPI")
    parser.add_argument("--scale-mpi", type=int, default=1_000_000)
    parser.add_argument("--scale-registrations", type=int, default=50_000)
    parser.add_argument("--scale-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale_worker:
        scale_worker(args.scale_worker)
        return 0
    eval_set = generate(args.seed, args.mpi, args.registrations)
    print(f"set: {len(eval_set.mpi)} MPI patients, {len(eval_set.registrations)} registrations "
          f"({dict(eval_set.kinds())}), seed {args.seed}", flush=True)
    ours, seconds = run_ours(eval_set)
    splink = None if args.no_splink else run_splink(eval_set)
    report(ours, seconds, splink, splink_wanted=not args.no_splink)
    if args.scale:
        scale(args.scale_mpi, args.scale_registrations, args.seed)
    return 0 if ours.meets_goals else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
