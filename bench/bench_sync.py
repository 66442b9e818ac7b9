"""Sync speed: export (with its read-back check), verify and import 100k journal entries.

Baseline: the goal from the sync issue, 10 s in total for export + import of 100k entries on 2 cores.
The journal is filled directly (chained rows, then a projection rebuild) because that set-up is not
what is measured; the exported rows are exactly what a ward PC writes.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import uuid as uuidlib
from pathlib import Path

os.environ.setdefault("DOWNTIME_KDF", "fast")  # login cost is not what this measures

from downtime.ids import IdBlock  # noqa: E402
from downtime.journal import canonical_json, entry_hash, now_iso, write_transaction  # noqa: E402
from downtime.session import Session, init_home  # noqa: E402
from sync.export import export_bundle  # noqa: E402
from sync.keys import device_key_file  # noqa: E402
from sync.office import office_key_file  # noqa: E402
from sync.workspace import Workspace  # noqa: E402

GOAL_S = 10.0
PASSPHRASE = "bench records office"
PATIENT = {"name": "Sunita Devi", "sex": "female", "age_years": 45, "phone": "9876543210",
           "relative": "W/o Ramesh Kumar", "address": "House 12, Sector 4, R K Puram, New Delhi",
           "pincode": "110022"}


def _ward(root: Path, office: Workspace) -> Session:
    session = init_home(root / "ward", site_name="Bench Hospital", device="W1-PC1", admin_id="ADMIN1",
                        admin_name="Admin", admin_pin="482916", block=1)
    session.trust_office(office_key_file(office.home).key)
    return session


def _fill(session: Session, n: int) -> None:
    """``n`` chained entries, half registrations and half notes, then the current-state tables."""
    db, device = session.journal.db, session.config.device
    block = IdBlock(session.config.site["code"], 1)
    seq, prev = session.journal.head()
    with write_transaction(db):
        for i in range(n):
            seq += 1
            register = i % 2 == 0
            patient = str(block.id_for(i // 2 + 1))
            payload = PATIENT if register else {"patient": patient, "text": f"Round {i}: vitals stable."}
            row = {"seq": seq, "device": device, "uuid": str(uuidlib.uuid4()),
                   "kind": "patient.register" if register else "note", "human_id": patient if register else None,
                   "payload": canonical_json(payload), "staff": "N1042", "recorded_at": now_iso(),
                   "clinical_at": None, "downtime_event": None, "supersedes": None, "prev_hash": prev}
            row["hash"] = prev = entry_hash(row)
            db.execute(f"INSERT INTO entries ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                       list(row.values()))
    session.journal.rebuild_projections()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        office_session = init_home(root / "office", site_name="Bench Hospital", device="RO-PC1", admin_id="ADMIN1",
                                   admin_name="Admin", admin_pin="482916", records_office=True, block=999)
        office = Workspace.create(office_session, PASSPHRASE)
        office_session.close()
        ward = _ward(root, office)
        office.trust(device_key_file(ward.config))
        _fill(ward, args.entries)
        (root / "usb").mkdir()

        started = time.perf_counter()
        exported = export_bundle(ward, root / "usb")
        export_s = time.perf_counter() - started
        started = time.perf_counter()
        imported = office.import_file(exported.path)
        import_s = time.perf_counter() - started
        assert imported.new == exported.entries, imported
        size_mb = exported.path.stat().st_size / 2**20
        ward.close()
        office.close()

    k = args.entries // 1000
    total = export_s + import_s
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"sync.export_{k}k_s              {export_s:8.2f}   write, fsync, read back and verify "
          f"({exported.entries} entries, bundle {size_mb:.1f} MB)")
    print(f"sync.import_{k}k_s              {import_s:8.2f}   decrypt, verify and insert in one transaction")
    print(f"sync.export_import_{k}k_s       {total:8.2f}   vs goal {GOAL_S:.0f} s (ratio {total / GOAL_S:.2f}); "
          f"peak memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
