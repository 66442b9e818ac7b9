"""The workspace's entries as current records: corrections win, voids are dropped, patients grouped by decision."""

from __future__ import annotations

from sync.adapters.records import current_records
from sync.workspace import Workspace
from tests.adapters.conftest import Scenario


def _group(current, key):
    return next(g for g in current.groups if g.key == key)


def test_the_latest_correction_wins(ws: Workspace, scenario: Scenario) -> None:
    current = current_records(ws, scenario.decisions)
    sunita = _group(current, f"downtime:{scenario.ids['sunita']}")
    assert sunita.registration is not None and sunita.registration.fields["phone"] == "9812345678"
    admit = next(r for r in sunita.records if r.kind == "encounter.admit")
    # Corrected twice, the second correcting the first: three versions, the last one in effect.
    assert [v.fields["bed"] for v in admit.versions] == ["12", "14", "15"]
    assert admit.fields["bed"] == "15" and admit.uuid == scenario.uuids["sunita_admit"]
    creatinine = next(r for r in sunita.records if r.uuid == scenario.uuids["creatinine"])
    assert creatinine.corrected and creatinine.fields["value"] == "1.4"
    assert creatinine.current.reason == "transcription error"


def test_voided_records_are_not_sent_and_what_hangs_on_them_is_held(ws: Workspace, scenario: Scenario) -> None:
    current = current_records(ws, scenario.decisions)
    assert [(r.kind, r.human_id) for r in current.voided] == [("patient.register", scenario.ids["voided"])]
    every_id = {i for g in current.groups for i in g.downtime_ids}
    assert scenario.ids["voided"] not in every_id
    held = {(h.record.kind, h.code) for h in current.held}
    assert ("encounter.admit", "patient_voided") in held


def test_patients_are_grouped_by_the_records_office_decision(ws: Workspace, scenario: Scenario) -> None:
    current = current_records(ws, scenario.decisions)
    keys = {g.key: g for g in current.groups}
    ravi = keys[f"uhid:{scenario.ids['ravi_uhid']}"]
    assert (ravi.decision, ravi.downtime_ids) == ("matched", [scenario.ids["ravi"]])
    snapshot_patient = keys[f"uhid:{scenario.ids['hmis_patient']}"]
    assert snapshot_patient.registration is None
    assert {r.kind for r in snapshot_patient.records} == {"encounter.transfer", "lab.request"}
    baby = keys[f"downtime:{scenario.ids['baby']}"]
    assert baby.registration is not None and baby.registration.kind == "birth.report"
    brought_dead = [g for g in current.groups if g.decision == "none"]
    assert [r.fields["deceased_name"] for g in brought_dead for r in g.records] == ["Unknown Male"]
    # A lab result goes with the patient of the request it reports on.
    sunita = keys[f"downtime:{scenario.ids['sunita']}"]
    assert sum(r.kind == "lab.result" for r in sunita.records) == 2


def test_doubtful_and_undecided_patients_are_held_with_everything_of_theirs(ws: Workspace, scenario: Scenario) -> None:
    decisions = {k: v for k, v in scenario.decisions.items() if k != scenario.ids["mohan"]}
    current = current_records(ws, decisions)
    held = {(h.record.kind, h.code) for h in current.held}
    assert {("patient.register", "review"), ("lab.request", "review")} <= held  # Kamla
    assert {("patient.register", "undecided"), ("encounter.admit", "undecided"), ("mccd", "undecided")} <= held
    assert not any(scenario.ids["mohan"] in g.downtime_ids for g in current.groups)


def test_an_id_printed_on_a_paper_form_names_the_same_patient(ws: Workspace, scenario: Scenario) -> None:
    # A blank-pack form keyed in later: its printed ID maps to the entry it became (as entry import records it).
    printed = "AIIMS-007-00090-4"
    ws.db.execute("INSERT INTO external_refs (entry_uuid, kind, external_ref, downtime_id, import_uuid) "
                  "VALUES (?, 'patient.register', 'BOX1-07', ?, 'test')", [scenario.uuids["sunita"], printed])
    decisions = {**{k: v for k, v in scenario.decisions.items() if k != scenario.ids["sunita"]},
                 printed: ("new", None)}
    current = current_records(ws, decisions)
    sunita = _group(current, f"downtime:{scenario.ids['sunita']}")
    assert sunita.downtime_ids == [scenario.ids["sunita"], printed]


def test_a_record_in_import_conflict_is_held_with_all_that_hangs_on_it(ws: Workspace, scenario: Scenario) -> None:
    # Another PC sent Mohan's registration uuid with other content (a cloned disk): a person must choose.
    ws.db.execute("INSERT INTO conflicts (uuid, device, seq, hash, prev_hash, row, existing_device, existing_seq, "
                  "existing_hash, bundle_id, found_at) VALUES (?, 'W3-PC1', 4, 'h', 'p', '{}', 'W7-PC2', 20, 'h0', "
                  "'b', '2026-11-22T10:00:00+05:30')", [scenario.uuids["mohan"]])
    current = current_records(ws, scenario.decisions)
    assert not any(scenario.ids["mohan"] in g.downtime_ids for g in current.groups)
    held = {(h.record.kind, h.code) for h in current.held if h.record.uuid == scenario.uuids["mohan"]
            or scenario.ids["mohan"] in str(h.record.fields.get("patient"))}
    assert held == {("patient.register", "conflict"), ("encounter.admit", "patient_conflict"),
                    ("encounter.death", "patient_conflict"), ("mccd", "patient_conflict"),
                    ("death.report", "patient_conflict")}
