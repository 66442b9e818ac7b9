"""Journal speed: durable single-entry appends, and rebuilding projections from 100k entries.

Baselines, measured in the same run on the same disk:
- appends: a plain (unencrypted) sqlite3 INSERT of a same-sized row, WAL + synchronous=FULL,
  one commit per row. The ratio shows what encryption, validation, hashing and projections cost.
- rebuild: reading and JSON-decoding every entry, the least any rebuild must do.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DOWNTIME_KDF", "fast")  # login cost is not what this measures

from downtime.session import Session, init_home  # noqa: E402

PATIENT = {"name": "Sunita Devi", "sex": "female", "age_years": 45, "phone": "9876543210",
           "relative": "W/o Ramesh Kumar", "address": "House 12, Sector 4, R K Puram, New Delhi",
           "pincode": "110022"}


def _session(root: Path, block_size: int = 99_999) -> Session:
    return init_home(root / "home", site_name="Bench Hospital", device="B1-PC1", admin_id="ADMIN1",
                     admin_name="Admin", admin_pin="482916", block_size=block_size)


def bench_appends(root: Path, n: int) -> tuple[float, float]:
    session = _session(root / "a")
    patient = session.record("patient.register", PATIENT).human_id
    note = {"patient": patient, "text": "Patient comfortable, vitals stable. BP 124/82, pulse 78."}
    started = time.perf_counter()
    for _ in range(n):
        session.record("note", note)
    ours = n / (time.perf_counter() - started)
    session.close()

    conn = sqlite3.connect(root / "plain.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE entries (seq INTEGER PRIMARY KEY, uuid TEXT, payload TEXT, hash TEXT)")
    row = json.dumps({"text": "Patient comfortable, vitals stable. BP 124/82, pulse 78."})
    started = time.perf_counter()
    for i in range(n):
        conn.execute("INSERT INTO entries VALUES (?, ?, ?, ?)", (i, os.urandom(16).hex(), row, "0" * 64))
        conn.commit()
    baseline = n / (time.perf_counter() - started)
    conn.close()
    return ours, baseline


def bench_rebuild(root: Path, n: int) -> tuple[float, float]:
    session = _session(root / "r", block_size=99_999)
    db = session.journal.db
    with db.atomic():  # one commit for the set-up; the rebuild is what is timed
        patient = None
        for i in range(n):
            if i % 2 == 0 and i // 2 < 99_000:
                patient = session.record("patient.register", PATIENT).human_id
            else:
                session.record("note", {"patient": patient, "text": f"Round {i}: vitals stable."})
    started = time.perf_counter()
    session.journal.rebuild_projections()
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for (payload,) in db.execute("SELECT payload FROM entries"):
        json.loads(payload)
    baseline = time.perf_counter() - started
    session.close()
    return ours, baseline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=500)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ours, base = bench_appends(root, args.appends)
        print(f"journal.appends_per_s          {ours:8.1f}   vs plain sqlite3 durable insert {base:.1f}/s "
              f"(ratio {ours / base:.2f})")
        ours, base = bench_rebuild(root, args.entries)
        print(f"journal.rebuild_{args.entries // 1000}k_s            {ours:8.2f}   vs read+decode only "
              f"{base:.2f} s (ratio {ours / base:.1f}x)")


if __name__ == "__main__":
    main()
