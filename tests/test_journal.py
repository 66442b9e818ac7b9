"""The journal: append-only in the database itself, hash-chained, and projections rebuildable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlcipher3

from downtime.errors import DowntimeError
from downtime.ids import IdBlockExhaustedError
from downtime.kinds.validate import ValidationError
from downtime.session import Session, init_home
from tests.conftest import ADMIN_ID, ADMIN_PIN, SUNITA

PROJECTIONS = ("records", "admissions", "patients", "staff", "issued_ids", "events")


def _admit(session: Session, patient: str, bed: str = "12") -> str:
    e = session.record("encounter.admit", {"patient": patient, "admitted_at": "2026-11-20 10:30",
                                           "ward": "Medicine Ward 7", "bed": bed, "admitting_doctor": "Dr Rao"})
    assert e.human_id
    return e.human_id


def _snapshot(session: Session) -> dict[str, list[dict]]:
    db = session.journal.db
    return {t: sorted((dict(r) for r in db[t].rows), key=repr) for t in PROJECTIONS}


def test_entry_holds_every_required_field(nurse: Session) -> None:
    e = nurse.record("patient.register", SUNITA)
    row = nurse.journal.db.execute("SELECT * FROM entries WHERE uuid = ?", [e.uuid]).fetchone()
    columns = [d[0] for d in nurse.journal.db.execute("SELECT * FROM entries LIMIT 0").description]
    assert set(columns) >= {"uuid", "device", "seq", "kind", "payload", "staff", "recorded_at", "clinical_at",
                            "downtime_event", "supersedes", "prev_hash", "hash"}
    assert row is not None
    assert e.device == "W7-PC2" and e.staff == "N1042" and e.downtime_event
    assert e.human_id and e.human_id.startswith("AIIMS-001-")


def test_database_refuses_update_and_delete_of_entries(nurse: Session) -> None:
    nurse.record("patient.register", SUNITA)
    db = nurse.journal.db
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
        db.execute("UPDATE entries SET payload = '{}' WHERE seq = 1")
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be deleted"):
        db.execute("DELETE FROM entries")
    assert nurse.journal.verify().ok


def test_database_refuses_a_gap_in_the_sequence(nurse: Session) -> None:
    seq, head = nurse.journal.head()
    with pytest.raises(sqlcipher3.IntegrityError, match="gapless"):
        nurse.journal.db.execute(
            "INSERT INTO entries (seq, device, uuid, kind, payload, staff, recorded_at, prev_hash, hash) "
            "VALUES (?, 'W7-PC2', 'x', 'note', '{}', 'N1042', 'now', ?, 'h')", [seq + 2, head])


def test_verify_names_the_first_tampered_seq(nurse: Session) -> None:
    for _ in range(3):
        nurse.record("patient.register", SUNITA)
    target_seq = nurse.journal.head()[0] - 1
    db = nurse.journal.db
    # Someone with the key who drops the guard trigger can change bytes; the chain still shows it.
    db.execute("DROP TRIGGER entries_no_update")
    db.execute("UPDATE entries SET payload = replace(payload, 'Sunita', 'Sunila') WHERE seq = ?", [target_seq])
    db.conn.commit()
    result = nurse.journal.verify()
    assert not result.ok
    assert result.first_bad_seq == target_seq
    assert "changed" in result.reason


def test_a_failed_validation_writes_nothing(nurse: Session) -> None:
    before = nurse.journal.head()
    with pytest.raises(ValidationError) as err:
        nurse.record("patient.register", {**SUNITA, "phone": "12345", "pincode": "abc"})
    assert {e.field for e in err.value.errors} == {"phone", "pincode"}
    assert nurse.journal.head() == before


def test_a_failure_inside_the_transaction_rolls_back_entry_and_projection(nurse: Session,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from downtime import projections

    before_head, before_state = nurse.journal.head(), _snapshot(nurse)

    def broken(db, entry, payload):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk went away mid-projection")

    monkeypatch.setitem(projections.HANDLERS, "patient.register", broken)
    with pytest.raises(RuntimeError):
        nurse.record("patient.register", SUNITA)
    assert nurse.journal.head() == before_head
    assert _snapshot(nurse) == before_state


def test_projections_rebuild_to_the_same_state(nurse: Session, doctor: Session) -> None:
    p1 = nurse.record("patient.register", SUNITA).human_id
    p2 = nurse.record("patient.register", {**SUNITA, "name": "Ramesh Kumar", "sex": "male"}).human_id
    assert p1 and p2
    ip1 = _admit(nurse, p1, "12")
    _admit(nurse, p2, "14")
    nurse.record("encounter.transfer", {"patient": p1, "admission": ip1, "transferred_at": "2026-11-21 09:00",
                                        "to_ward": "ICU", "to_bed": "3"})
    nurse.correct(p2, {**SUNITA, "name": "Ramesh Kumar Sharma", "sex": "male"}, "surname missing")
    doctor.record("encounter.discharge", {"patient": p1, "admission": ip1, "discharged_at": "2026-11-22 11:00",
                                          "discharge_type": "lama", "lama_reason": "wants to go home",
                                          "lama_witness": "Ramesh (husband)", "discharging_doctor": "Dr Rao"})
    nurse.void(p2, "registered twice")
    before = _snapshot(nurse)
    assert nurse.journal.rebuild_projections() == nurse.journal.head()[0]
    assert _snapshot(nurse) == before
    adm = {a["ip_number"]: a for a in nurse.journal.db["admissions"].rows}
    assert adm[ip1]["status"] == "discharged" and adm[ip1]["ward"] == "ICU"


def test_correction_keeps_the_original_and_supersedes_it(nurse: Session) -> None:
    original = nurse.record("patient.register", SUNITA)
    fixed = nurse.correct(original.human_id or "", {**SUNITA, "age_years": 47}, "age misheard")
    assert fixed.supersedes == original.uuid and fixed.human_id == original.human_id
    assert nurse.journal.get(original.uuid).payload["age_years"] == 45
    record = nurse.journal.db["records"].get(original.uuid)
    assert record["status"] == "corrected" and '"age_years": 47' in record["payload"]
    nurse.void(original.uuid, "duplicate")
    with pytest.raises(DowntimeError, match="voided"):
        nurse.correct(original.uuid, SUNITA, "again")


def test_clinical_time_comes_from_the_kind(nurse: Session) -> None:
    p = nurse.record("patient.register", SUNITA).human_id or ""
    e = nurse.journal.get(_admit(nurse, p))
    assert e.clinical_at == "2026-11-20T10:30"


def test_ids_are_never_reused_and_exhaustion_is_clear(tmp_path: Path) -> None:
    admin = init_home(tmp_path / "h", site_name="AIIMS New Delhi", device="W1-PC1", admin_id=ADMIN_ID,
                      admin_name="Admin", admin_pin=ADMIN_PIN, block=3, block_size=5)
    issued = [admin.record("patient.register", SUNITA).human_id for _ in range(3)]
    admin.void(issued[-1] or "", "wrong patient")
    issued += [admin.record("patient.register", SUNITA).human_id for _ in range(2)]
    assert len(set(issued)) == 5
    status = admin.block_status()
    assert status and status.remaining == 0 and status.warning()
    head = admin.journal.head()
    with pytest.raises(IdBlockExhaustedError, match="used all 5 IDs"):
        admin.record("patient.register", SUNITA)
    assert admin.journal.head() == head


def test_journal_file_holds_no_plaintext_and_plain_sqlite_cannot_read_it(nurse: Session, home: Path) -> None:
    nurse.record("patient.register", {**SUNITA, "name": "Zebunnisa Qureshi"})
    nurse.journal.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in home.glob("journal.db*"):
        data = path.read_bytes()
        assert b"Zebunnisa" not in data and "Zebunnisa".encode("utf-16-le") not in data
        assert b"9876543210" not in data
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(home / "journal.db").execute("SELECT * FROM sqlite_master").fetchall()
