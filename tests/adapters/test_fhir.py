"""FHIR write-back: valid NRCeS-shaped bundles, conditional create, and a post that survives interruption."""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from sync.adapters.fhir import (
    PROFILE,
    FhirInvalid,
    build_bundles,
    check_bundle,
    post_fhir,
    settings_for,
    validate_bundle,
)
from sync.adapters.post_state import RetryPolicy
from sync.adapters.records import current_records, lab_order_id
from sync.workspace import Workspace
from tests.adapters.conftest import Scenario, at, bring_in, on_the_ward
from tests.adapters.fhir_endpoint import FhirEndpoint
from tests.conftest import DOCTOR_ID, DOCTOR_PIN, LAB_ID, LAB_PIN

UHID_SYSTEM = "https://hmis.aiims.example/uhid"
FAST = RetryPolicy(attempts=2, first_delay=0.01, give_up_after=2)


def bundles(ws: Workspace, scenario: Scenario) -> dict[str, dict[str, Any]]:
    current = current_records(ws, scenario.decisions)
    return {b.key: b.bundle for b in build_bundles(current, settings_for(ws, UHID_SYSTEM))}


def resources(bundle: dict[str, Any], rtype: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype]


@pytest.fixture
def endpoint(scenario: Scenario) -> Iterator[FhirEndpoint]:
    """The HMIS's FHIR server, already holding the two patients the outage records know by UHID."""
    with FhirEndpoint() as server:
        for uhid in (scenario.ids["ravi_uhid"], scenario.ids["hmis_patient"]):
            server.seed({"resourceType": "Patient", "identifier": [{"system": UHID_SYSTEM, "value": uhid}]})
        yield server


def test_every_bundle_validates_and_follows_the_nrces_profiles(ws: Workspace, scenario: Scenario) -> None:
    built = bundles(ws, scenario)
    assert len(built) == 6  # Sunita, Mohan, the baby, Ravi, the snapshot in-patient, the brought-dead report
    for key, bundle in built.items():
        validate_bundle(key, bundle)
        Bundle.model_validate(bundle)
        for entry in bundle["entry"]:
            resource = entry["resource"]
            assert entry["request"]["method"] == "POST" and entry["request"]["ifNoneExist"].startswith("identifier=")
            if resource["resourceType"] in ("Patient", "Encounter", "ServiceRequest", "Observation"):
                assert resource["meta"]["profile"] == [PROFILE + resource["resourceType"]]
    sunita = built[f"downtime:{scenario.ids['sunita']}"]
    (patient,) = resources(sunita, "Patient")
    assert patient["name"][0]["text"] == "Sunita Devi" and patient["gender"] == "female"
    assert all(i["type"] for i in patient["identifier"])
    assert [i["type"]["coding"][0]["code"] for i in patient["identifier"]] == ["PI", "ABHA"]
    assert patient["identifier"][0] == {**patient["identifier"][0], "system": "urn:downtime:AIIMS:patient",
                                        "value": scenario.ids["sunita"]}
    assert patient["telecom"][0]["value"] == "9812345678"  # the corrected number


def test_records_as_corrected_become_encounters_orders_results_and_reports(ws: Workspace, scenario: Scenario) -> None:
    built = bundles(ws, scenario)
    sunita = built[f"downtime:{scenario.ids['sunita']}"]
    (encounter,) = resources(sunita, "Encounter")
    assert encounter["status"] == "finished" and encounter["class"]["code"] == "IMP"
    assert [loc["location"]["display"] for loc in encounter["location"]] == ["W7, bed 15", "ICU, bed 3"]
    assert encounter["hospitalization"]["dischargeDisposition"]["coding"][0]["code"] == "home"
    assert [sr["code"]["text"] for sr in resources(sunita, "ServiceRequest")] == ["Haemoglobin", "Serum creatinine"]
    assert {sr["status"] for sr in resources(sunita, "ServiceRequest")} == {"completed"}
    results = {o["code"]["text"]: o for o in resources(sunita, "Observation")}
    assert results["Serum creatinine"]["status"] == "corrected"
    assert results["Serum creatinine"]["valueQuantity"] == {"value": 1.4, "unit": "mg/dL"}
    assert results["Haemoglobin"]["interpretation"][0]["coding"][0]["code"] == "L"
    mohan = built[f"downtime:{scenario.ids['mohan']}"]
    assert resources(mohan, "Patient")[0]["deceasedDateTime"].startswith(at(20)[:16])
    assert {c["type"]["coding"][0]["code"] for c in resources(mohan, "Composition")} == {"mccd", "death.report"}
    baby = built[f"downtime:{scenario.ids['baby']}"]
    assert resources(baby, "Patient")[0]["name"][0]["text"] == "B/O Sunita Devi"
    assert resources(baby, "Composition")[0]["type"]["coding"][0]["code"] == "birth.report"


def test_a_matched_patient_is_referred_to_by_uhid_never_created(ws: Workspace, scenario: Scenario) -> None:
    ravi = bundles(ws, scenario)[f"uhid:{scenario.ids['ravi_uhid']}"]
    assert resources(ravi, "Patient") == []
    (encounter,) = resources(ravi, "Encounter")
    assert encounter["subject"] == {"reference": f"Patient?identifier={UHID_SYSTEM}|{scenario.ids['ravi_uhid']}"}
    brought_dead = next(b for k, b in bundles(ws, scenario).items() if k.startswith("report:"))
    assert "subject" not in resources(brought_dead, "Composition")[0]


def test_code_values_are_checked_beyond_the_r4b_models(ws: Workspace, scenario: Scenario) -> None:
    bundle = copy.deepcopy(bundles(ws, scenario)[f"downtime:{scenario.ids['sunita']}"])
    resources(bundle, "Patient")[0]["gender"] = "F"
    resources(bundle, "Encounter")[0]["status"] = "discharged"
    resources(bundle, "ServiceRequest")[0]["priority"] = "high"
    Bundle.model_validate(bundle)  # the models alone let all three through
    problems = check_bundle(bundle)
    assert any("Patient.gender 'F'" in p for p in problems)
    assert any("Encounter.status 'discharged'" in p for p in problems)
    assert any("ServiceRequest.priority 'high'" in p for p in problems)
    del resources(bundle, "Patient")[0]["name"][0]["text"]
    bundle["entry"][1]["request"].pop("ifNoneExist")
    with pytest.raises(FhirInvalid) as caught:
        validate_bundle("sunita", bundle)
    assert any("name.text" in p for p in caught.value.problems)
    assert any("conditional create" in p for p in caught.value.problems)


def test_written_bundles_are_one_file_per_patient_and_the_same_every_time(ws: Workspace, scenario: Scenario,
                                                                          tmp_path: Path) -> None:
    first = post_fhir(ws, scenario.decisions, out=tmp_path / "a", uhid_system=UHID_SYSTEM)
    again = post_fhir(ws, scenario.decisions, out=tmp_path / "b", uhid_system=UHID_SYSTEM)
    assert first.posted == 6 and not first.failed
    assert sorted(p.name for p in first.files) == sorted(p.name for p in again.files)
    for a, b in zip(sorted(first.files), sorted(again.files)):
        assert a.read_bytes() == b.read_bytes()
        validate_bundle(a.name, json.loads(a.read_bytes()))
    held = " ".join(f"{f.key} {f.reason}" for f in first.held)
    assert "review" in held and "HMIS admission" in held and "ward notes" in held


def test_written_bundles_are_logged_as_handed_over_and_never_taken_for_acknowledgements(
        ws: Workspace, scenario: Scenario, endpoint: FhirEndpoint, tmp_path: Path) -> None:
    written = post_fhir(ws, scenario.decisions, out=tmp_path / "files", uhid_system=UHID_SYSTEM)
    logged = {key: (digest, set(json.loads(entries))) for key, digest, entries in ws.db.execute(
        "SELECT key, digest, entries FROM post_log WHERE adapter = 'fhir' AND delivery = 'file' AND target = ?",
        [str((tmp_path / "files").resolve())])}
    assert set(logged) == {p.name for p in written.files}
    assert all(logged[p.name][0] == hashlib.sha256(p.read_bytes()).hexdigest() for p in written.files)
    built = build_bundles(current_records(ws, scenario.decisions), settings_for(ws, UHID_SYSTEM))
    assert set().union(*(e for _, e in logged.values())) == {u for b in built if b.bundle["entry"] for u in b.entries}
    # Files get no answer: a post to the HMIS afterwards still sends every bundle.
    sent = post_fhir(ws, scenario.decisions, url=endpoint.url, uhid_system=UHID_SYSTEM, retry=FAST)
    assert (sent.posted, sent.skipped, sent.failed) == (6, 0, [])


def test_posting_twice_creates_nothing_new_the_second_time(ws: Workspace, scenario: Scenario,
                                                           endpoint: FhirEndpoint) -> None:
    first = post_fhir(ws, scenario.decisions, url=endpoint.url, uhid_system=UHID_SYSTEM, retry=FAST)
    assert (first.posted, first.skipped, first.failed) == (6, 0, [])
    created = Counter(endpoint.created)
    assert created["Patient"] == 3 and created["Encounter"] == 3 and created["Composition"] == 4
    again = post_fhir(ws, scenario.decisions, url=endpoint.url, uhid_system=UHID_SYSTEM, retry=FAST)
    assert (again.posted, again.skipped) == (0, 6) and endpoint.transactions == 6
    # Even with the acknowledgements lost (another office PC, a restored backup), conditional create holds.
    ws.db.execute("DELETE FROM post_log")
    blind = post_fhir(ws, scenario.decisions, url=endpoint.url, uhid_system=UHID_SYSTEM, retry=FAST)
    assert blind.posted == 6 and endpoint.transactions == 12
    assert endpoint.created == created
    assert_one_copy_each(endpoint)


@pytest.mark.parametrize("after_commit", [False, True], ids=["dropped-before-work", "answer-lost-after-commit"])
def test_an_interrupted_post_resumes_and_completes_with_one_copy_of_everything(
        ws: Workspace, scenario: Scenario, endpoint: FhirEndpoint, after_commit: bool) -> None:
    endpoint.fail_after(2, after_commit=after_commit)
    cut = post_fhir(ws, scenario.decisions, url=endpoint.url, uhid_system=UHID_SYSTEM, retry=FAST)
    assert cut.posted == 2 and not cut.complete
    assert cut.not_attempted == 6 - 2 - len(cut.failed) and all("no answer" in f.reason for f in cut.failed)
    endpoint.recover()
    resumed = post_fhir(ws, scenario.decisions, url=endpoint.url, uhid_system=UHID_SYSTEM, retry=FAST)
    assert (resumed.posted, resumed.skipped, resumed.complete) == (4, 2, True)
    assert_one_copy_each(endpoint)
    with FhirEndpoint() as clean:  # the same records posted without interruption, for comparison
        for uhid in (scenario.ids["ravi_uhid"], scenario.ids["hmis_patient"]):
            clean.seed({"resourceType": "Patient", "identifier": [{"system": UHID_SYSTEM, "value": uhid}]})
        ws.db.execute("DELETE FROM post_log")
        post_fhir(ws, scenario.decisions, url=clean.url, uhid_system=UHID_SYSTEM, retry=FAST)
        assert endpoint.created == clean.created


def test_a_refused_bundle_stores_nothing_and_is_reported(ws: Workspace, scenario: Scenario) -> None:
    with FhirEndpoint() as server:  # Ravi's UHID is not on this server: his bundle's reference cannot resolve
        server.seed({"resourceType": "Patient", "identifier": [{"system": UHID_SYSTEM,
                                                                "value": scenario.ids["hmis_patient"]}]})
        report = post_fhir(ws, scenario.decisions, url=server.url, uhid_system=UHID_SYSTEM, retry=FAST)
        assert report.posted == 5 and [f.key for f in report.failed] == [f"uhid:{scenario.ids['ravi_uhid']}"]
        assert "412" in report.failed[0].reason and "conditional reference" in report.failed[0].reason
        admissions = [i["value"] for r in server.store.get("Encounter", {}).values() for i in r["identifier"]]
        assert len(admissions) == 2  # Sunita's and Mohan's: nothing of Ravi's transaction was kept


def test_records_that_change_after_posting_are_reported_and_new_ones_still_arrive(
        ws: Workspace, scenario: Scenario, endpoint: FhirEndpoint, tmp_path: Path) -> None:
    post_fhir(ws, scenario.decisions, url=endpoint.url, uhid_system=UHID_SYSTEM, retry=FAST)
    accession = scenario.ids["sunita_accession"]
    # Late from the ward: a corrected diagnosis, a request corrected (creatinine dropped, serum iron added),
    # a result that came late, and Ravi's admission voided.
    with on_the_ward(scenario, DOCTOR_ID, DOCTOR_PIN) as doctor:
        discharge = next(r for r in doctor.patient_history(scenario.ids["sunita"]) if r["kind"] == "encounter.discharge")
        doctor.correct(discharge["uuid"], {**discharge["payload"], "final_diagnosis": "Thalassaemia trait"},
                       "HPLC report")
        request = doctor.journal.get(accession)
        doctor.correct(accession, {**request.payload, "tests": ["Haemoglobin", "Serum iron"]}, "wrong test ticked")
        ravi_admission = next(r for r in doctor.patient_history(scenario.ids["ravi"]) if r["kind"] == "encounter.admit")
        doctor.void(ravi_admission["uuid"], "admitted under the wrong patient")
    with on_the_ward(scenario, LAB_ID, LAB_PIN) as lab:
        ferritin = lab.record("lab.result", {"accession": accession, "test": "Serum ferritin", "value": "9",
                                             "unit": "ng/mL", "verified_by": "Dr Meera Pathologist"})
    bring_in(ws, scenario, tmp_path / "usb2")
    before = Counter(endpoint.created)
    late = post_fhir(ws, scenario.decisions, url=endpoint.url, uhid_system=UHID_SYSTEM, retry=FAST)
    assert (late.posted, late.skipped) == (1, 4)
    # What the HMIS holds is not updated by a conditional create: each changed or vanished part is named.
    stale = {f.key: f.reason for f in late.stale}
    assert set(stale) == {f"Condition {discharge['uuid']}/final-diagnosis",
                          f"ServiceRequest {lab_order_id(accession, 'Serum creatinine')}",
                          f"Observation {scenario.uuids['creatinine']}",  # no longer based on a creatinine order
                          f"Encounter {ravi_admission['human_id']}"}
    assert "changed" in stale[f"Condition {discharge['uuid']}/final-diagnosis"]
    assert "no longer" in stale[f"Encounter {ravi_admission['human_id']}"]
    assert endpoint.created - before == Counter({"Observation": 1, "ServiceRequest": 1})
    assert endpoint.search("Observation", f"identifier=urn:downtime:AIIMS:entry|{ferritin.uuid}")
    assert_one_copy_each(endpoint)


def assert_one_copy_each(endpoint: FhirEndpoint) -> None:
    seen = Counter((rtype, i.get("system"), i.get("value")) for rtype, by_id in endpoint.store.items()
                   for r in by_id.values()
                   for i in (r["identifier"] if isinstance(r["identifier"], list) else [r["identifier"]]))
    assert seen and max(seen.values()) == 1
