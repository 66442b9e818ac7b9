"""FHIR R4 write-back: one transaction Bundle per patient, following the NRCeS (ABDM) profiles.

Each bundle holds the patient's records as they stand (``records.py``): the Patient (for a new
patient), an Encounter per downtime admission with its transfers, discharge or death, a Specimen and
one ServiceRequest per test of a lab request, an Observation per result, a Condition for a final
diagnosis, and a Composition per statutory report (birth, death, stillbirth, MCCD).

Every resource is created conditionally (``request.ifNoneExist`` on its own downtime identifier), so
posting a bundle twice creates nothing the second time, and a bundle that grew (a result that came
late) adds only what is new. A matched patient is never created: the records point at the HMIS's own
Patient by a conditional reference on the UHID (``Patient?identifier=<uhid system>|<uhid>``).

Every bundle is validated before it is written or sent: by the ``fhir.resources`` R4B models (structure
and data types), and here for what those models do not check: code values (gender, statuses, classes),
the NRCeS Patient rules (identifier.type and name.text), and that every reference inside the bundle
resolves. A bundle that fails is reported and not sent.

Bundles written as files (``out``) are logged as handed over (``post_state.PostLog.hand_over``): the report
counts their records as posted, as files rather than as acknowledged by the HMIS.

Not carried by FHIR here (reported as held, so nothing disappears silently): transfers, discharges and
deaths on an HMIS admission from before the outage (a conditional create cannot update the HMIS's
encounter: the HL7 v2 adapter carries them), and ward notes.
"""

from __future__ import annotations

import html
import http.client
import json
import urllib.error
import urllib.request
import uuid as uuidlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from downtime.atomic_file import write_atomic
from downtime.errors import DowntimeError
from downtime.kinds.schema import Kind, get_kind
from sync.adapters.post_state import (
    DEFAULT_RETRY,
    Failure,
    NotDelivered,
    Outgoing,
    PostLog,
    PostReport,
    Rejected,
    RetryPolicy,
    deliver,
    digest_of,
    report_for,
    written_file,
)
from sync.adapters.records import (
    ADMISSION_EVENTS,
    STATUTORY_REPORTS,
    CurrentRecords,
    Decisions,
    PatientGroup,
    Record,
    choice_label,
    current_records,
    is_number,
    lab_order_id,
    patient_row,
    same_test,
    system,
)
from sync.workspace import Workspace

PROFILE = "https://nrces.in/ndhm/fhir/r4/StructureDefinition/"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
NDHM_ID_TYPE = "https://nrces.in/ndhm/fhir/r4/CodeSystem/ndhm-identifier-type-code"
ABHA_SYSTEM = "https://healthid.ndhm.gov.in"
HFR_SYSTEM = "https://facility.abdm.gov.in"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
DISCHARGE = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
ADMIT_SOURCE = "http://terminology.hl7.org/CodeSystem/admit-source"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
DIAGNOSIS_ROLE = "http://terminology.hl7.org/CodeSystem/diagnosis-role"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
FORM_SYSTEM = "urn:downtime:form"  # the statutory forms have no national code system: the kind names them
XHTML = "http://www.w3.org/1999/xhtml"
FHIR_JSON = "application/fhir+json"
ADAPTER = "fhir"

# Value sets the R4B models do not enforce (they accept gender "M"): checked on every bundle.
VALUE_SETS: dict[tuple[str, str], frozenset[str]] = {
    ("Patient", "gender"): frozenset({"male", "female", "other", "unknown"}),
    ("Encounter", "status"): frozenset({"planned", "arrived", "triaged", "in-progress", "onleave", "finished",
                                        "cancelled", "entered-in-error", "unknown"}),
    ("Encounter", "class.code"): frozenset({"IMP", "EMER", "AMB", "ACUTE", "NONAC", "OBSENC", "PRENC", "SS", "VR",
                                            "HH", "FLD"}),
    ("Encounter", "location.status"): frozenset({"planned", "active", "reserved", "completed"}),
    ("Encounter", "hospitalization.dischargeDisposition.coding.code"): frozenset({
        "home", "alt-home", "other-hcf", "hosp", "long", "aadvice", "exp", "psy", "rehab", "snf", "oth"}),
    ("Encounter", "hospitalization.admitSource.coding.code"): frozenset({
        "hosp-trans", "emd", "outp", "born", "gp", "mp", "nursing", "psych", "rehab", "other"}),
    ("ServiceRequest", "status"): frozenset({"draft", "active", "on-hold", "revoked", "completed",
                                             "entered-in-error", "unknown"}),
    ("ServiceRequest", "intent"): frozenset({"proposal", "plan", "directive", "order", "original-order",
                                             "reflex-order", "filler-order", "instance-order", "option"}),
    ("ServiceRequest", "priority"): frozenset({"routine", "urgent", "asap", "stat"}),
    ("Specimen", "status"): frozenset({"available", "unavailable", "unsatisfactory", "entered-in-error"}),
    ("Observation", "status"): frozenset({"registered", "preliminary", "final", "amended", "corrected",
                                          "cancelled", "entered-in-error", "unknown"}),
    ("Observation", "interpretation.coding.code"): frozenset({"N", "L", "H", "LL", "HH", "A", "AA"}),
    ("Composition", "status"): frozenset({"preliminary", "final", "amended", "entered-in-error"}),
    ("Condition", "category.coding.code"): frozenset({"problem-list-item", "encounter-diagnosis"}),
}
NRCES_PROFILED = frozenset({"Patient", "Encounter", "ServiceRequest", "Specimen", "Observation", "Condition"})

_DISCHARGE = {"normal": "home", "lama": "aadvice", "referred": "other-hcf", "absconded": "oth"}
_ADMIT_SOURCE = {"emergency": "emd", "elective": "outp", "transfer_in": "hosp-trans"}
_INTERPRETATION = {"normal": "N", "low": "L", "high": "H", "critical": "AA", "abnormal": "A"}


@dataclass(frozen=True)
class FhirSettings:
    site: str                 # the site code in downtime IDs, e.g. AIIMS
    uhid_system: str          # the HMIS's own identifier system for UHIDs (ask the HMIS team)
    hospital: str             # the hospital's name, as custodian of the statutory reports
    hfr_id: str | None = None  # the facility's ABDM Health Facility Registry ID, if known


def settings_for(ws: Workspace, uhid_system: str | None = None) -> FhirSettings:
    """The site's settings; without ``uhid_system`` a site-local URN stands in (set the HMIS's own for real use)."""
    site = ws.site
    hfr = str(ws.home.load_config().site.get("hfr_id") or "") or None
    return FhirSettings(site, uhid_system or f"urn:hmis:{site}:uhid", ws.meta("site_name") or site, hfr)


class FhirInvalid(DowntimeError):
    def __init__(self, key: str, problems: list[str]):
        super().__init__(f"bundle {key} is not valid FHIR: " + "; ".join(problems[:5]))
        self.problems = problems


@dataclass
class BuiltBundle:
    key: str
    bundle: dict[str, Any]
    entries: list[str] = field(default_factory=list)      # entry uuids (record versions) it carries
    not_carried: list[Failure] = field(default_factory=list)

    def outgoing(self) -> Outgoing:
        body = json.dumps(self.bundle, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
        parts = {_part_name(e["resource"]): digest_of(json.dumps(e["resource"], sort_keys=True).encode("utf-8"))
                 for e in self.bundle["entry"]}
        return Outgoing(self.key, body, parts, tuple(self.entries))


# -- the public calls ----------------------------------------------------------------------------------------------

def post_fhir(ws: Workspace, decisions: Decisions, *, url: str | None = None, out: Path | None = None,
              uhid_system: str | None = None, headers: Mapping[str, str] | None = None, timeout: float = 60.0,
              retry: RetryPolicy = DEFAULT_RETRY) -> PostReport:
    """Write one bundle per patient to ``out``, or POST each to the FHIR base ``url`` (resuming: bundles the
    server acknowledged before are not sent again). Exactly one of ``url`` and ``out``."""
    if (url is None) == (out is None):
        raise DowntimeError("give a FHIR base URL or an output folder (one of the two)")
    current = current_records(ws, decisions)
    built = list(build_bundles(current, settings_for(ws, uhid_system)))
    report = report_for(ADAPTER, url.rstrip("/") if url else str(out), current,
                        [f for b in built for f in b.not_carried])
    valid = [b for b in built if b.bundle["entry"] and _valid(b, report)]
    if out is not None:
        return _write(valid, out, report, PostLog(ws.db))
    send = _poster(report.target, dict(headers or {}), timeout)
    return deliver((b.outgoing() for b in valid), send, PostLog(ws.db), report, retry=retry, resend_changed=True)


def build_bundles(current: CurrentRecords, settings: FhirSettings) -> Iterator[BuiltBundle]:
    """One bundle per patient; a bundle may be empty when FHIR carries none of the patient's records."""
    for group in current.groups:
        yield _BundleBuilder(current, group, settings).build()


def validate_bundle(key: str, bundle: dict[str, Any]) -> None:
    """Raise FhirInvalid unless the bundle passes the R4B models and this module's own checks."""
    problems: list[str] = []
    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        problems += [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
    problems += check_bundle(bundle)
    if problems:
        raise FhirInvalid(key, problems)


def check_bundle(bundle: dict[str, Any]) -> list[str]:
    """What the R4B models leave unchecked: value sets, NRCeS rules, conditional create, references."""
    problems = [] if bundle.get("type") == "transaction" else ["Bundle.type must be transaction"]
    full_urls = [e.get("fullUrl") for e in bundle.get("entry", [])]
    if len(set(full_urls)) != len(full_urls):
        problems.append("two entries share a fullUrl")
    for entry in bundle.get("entry", []):
        resource = entry.get("resource", {})
        rtype = resource.get("resourceType", "")
        problems += [f"{rtype}.{path} {value!r} is not one of the allowed codes"
                     for (t, path), allowed in VALUE_SETS.items() if t == rtype
                     for value in _values(resource, path) if value not in allowed]
        problems += _entry_problems(entry, rtype)
        problems += [f"{rtype} refers to {ref}, which is not in the bundle"
                     for ref in _references(resource) if ref.startswith("urn:uuid:") and ref not in full_urls]
    return problems


# -- building ------------------------------------------------------------------------------------------------------

class _BundleBuilder:
    def __init__(self, current: CurrentRecords, group: PatientGroup, settings: FhirSettings):
        self.current = current
        self.group = group
        self.settings = settings
        self.site = settings.site
        self.built = BuiltBundle(group.key, {"resourceType": "Bundle", "type": "transaction",
                                             "identifier": {"system": system(self.site, "bundle"),
                                                            "value": group.key},
                                             "entry": []})

    def build(self) -> BuiltBundle:
        # A matched patient's registration is merged into the HMIS's own record: nothing is created for it.
        if self.group.decision == "new" and self.group.registration is not None:
            self._add(self.group.registration, self._patient(self.group.registration))
        results = [r for r in self.group.records if r.kind == "lab.result"]
        for record in self.group.all_records:
            self._record(record, results)
        return self.built

    def _record(self, record: Record, results: list[Record]) -> None:
        kind = record.kind
        if kind == "encounter.admit":
            self._encounter(record)
        elif kind == "lab.request":
            self._lab_request(record, [r for r in results if self.current.request_for(r) is record])
        elif kind == "lab.result":
            self._observation(record)
        elif kind in STATUTORY_REPORTS:
            self._add(record, self._composition(record), uuid_name="composition")
        elif kind in ADMISSION_EVENTS:
            if self.current.admission_for(self.group, record) is None:
                self._not_carried(record, "is on an HMIS admission from before the outage (or on none): FHIR "
                                  "conditional create cannot update the HMIS's encounter; send it by HL7 v2 or enter "
                                  "it by hand")
        elif kind == "note":
            self._not_carried(record, "ward notes are not written back by FHIR; they are in the CSV output")

    # -- plumbing ---------------------------------------------------------------------------------

    def _add(self, record: Record, resource: dict[str, Any], *, uuid_name: str = "",
             carries: Sequence[Record] = ()) -> None:
        """Add ``resource`` for ``record`` as a conditional create on its first identifier."""
        rtype = resource["resourceType"]
        if rtype in NRCES_PROFILED:
            resource = {"resourceType": rtype, "meta": {"profile": [PROFILE + rtype]},
                        **{k: v for k, v in resource.items() if k != "resourceType"}}
        ident = resource["identifier"][0] if isinstance(resource["identifier"], list) else resource["identifier"]
        self.built.bundle["entry"].append({
            "fullUrl": self._url(record, uuid_name),
            "resource": resource,
            "request": {"method": "POST", "url": rtype, "ifNoneExist": _identifier_query(ident["system"], ident["value"])}})
        for r in [record, *carries]:
            self.built.entries += [v.uuid for v in r.versions if v.uuid not in self.built.entries]

    def _url(self, record: Record, name: str = "") -> str:
        return f"urn:uuid:{_uuid5(f'{record.uuid}/{name}') if name else record.uuid}"

    def _not_carried(self, record: Record, why: str) -> None:
        self.built.not_carried.append(Failure(record.name, f"{record.kind} {why}"))

    def _subject(self) -> dict[str, str] | None:
        g = self.group
        if g.decision == "matched":
            return {"reference": f"Patient?{_identifier_query(self.settings.uhid_system, g.uhid or '')}"}
        if g.decision == "new" and g.registration is not None:
            return {"reference": self._url(g.registration)}
        return None

    def _id(self, what: str, value: str, code: str, text: str) -> dict[str, Any]:
        return {"type": {"coding": [{"system": V2_0203, "code": code}], "text": text},
                "system": system(self.site, what), "value": value}

    def _time(self, record: Record, name: str) -> str | None:
        when = record.field_time(name)
        return when.isoformat() if when else None

    # -- Patient ----------------------------------------------------------------------------------

    def _patient(self, reg: Record) -> dict[str, Any]:
        row = patient_row(reg)
        identifiers = [self._id("patient", i, "PI", "Downtime patient ID") for i in self.group.downtime_ids]
        if row.get("abha"):
            abha = row["abha"]
            identifiers.append(_abha(f"{abha[:2]}-{abha[2:6]}-{abha[6:10]}-{abha[10:]}"))
        if reg.fields.get("abha_address"):
            identifiers.append(_abha(reg.fields["abha_address"]))
        patient: dict[str, Any] = {
            "resourceType": "Patient", "identifier": identifiers,
            "name": [{"use": "official", "text": row["name"]}],  # not split: Indian names do not split reliably
            "gender": row.get("sex") or "unknown",
        }
        _put(patient, "birthDate", row.get("dob"))
        if row.get("phone"):
            patient["telecom"] = [{"system": "phone", "value": row["phone"], "use": "mobile"}]
        if row.get("address") or row.get("pincode"):
            patient["address"] = [_drop_empty({"text": row.get("address"), "postalCode": row.get("pincode"),
                                               "country": "IN"})]
        if row.get("relative"):
            relation = choice_label("patient.register", "relation_type", row.get("relation_type"))
            patient["contact"] = [_drop_empty({"relationship": [{"text": relation}] if relation else None,
                                               "name": {"text": row["relative"]}})]
        if reg.kind == "birth.report" and reg.fields.get("multiple_birth"):
            patient["multipleBirthInteger"] = int(reg.fields.get("birth_order_in_delivery") or 1)
        _put(patient, "deceasedDateTime", self._death_time())
        return patient

    def _death_time(self) -> str | None:
        """When the patient died, from the most precise record of it (a death report gives only the date)."""
        for kind, name in (("encounter.death", "died_at"), ("mccd", "died_at"), ("death.report", "date_of_death")):
            for record in self.group.records:
                if record.kind == kind and record.fields.get(name):
                    return self._time(record, name) if kind != "death.report" else str(record.fields[name])
        return None

    # -- Encounter --------------------------------------------------------------------------------

    def _encounter(self, admit: Record) -> None:
        events = [r for r in self.group.records if r.kind in ADMISSION_EVENTS
                  and self.current.admission_for(self.group, r) is admit]
        ending = next((e for e in reversed(events) if e.kind != "encounter.transfer"), None)
        f = admit.fields
        encounter: dict[str, Any] = {
            "resourceType": "Encounter",
            "identifier": [self._id("admission", admit.human_id or admit.uuid, "VN", "IP number (downtime)")],
            "status": "finished" if ending else "in-progress",
            "class": {"system": ACT_CODE, "code": "IMP", "display": "inpatient encounter"},
            "subject": self._subject(),
            "period": _drop_empty({"start": self._time(admit, "admitted_at"), "end": self._ending_time(ending)}),
            "location": self._locations(admit, events),
        }
        if f.get("admitting_doctor"):
            encounter["participant"] = [{"type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                               "v3-ParticipationType", "code": "ADM"}]}],
                                         "individual": {"display": f["admitting_doctor"]}}]
        if f.get("provisional_diagnosis"):
            encounter["reasonCode"] = [{"text": f["provisional_diagnosis"]}]
        if f.get("department"):
            encounter["serviceType"] = {"text": f["department"] + (f" ({f['unit']})" if f.get("unit") else "")}
        encounter["hospitalization"] = self._hospitalization(admit, ending)
        diagnosis = self._final_diagnosis(admit, ending)
        if diagnosis is not None and ending is not None:
            encounter["diagnosis"] = [{"condition": {"reference": self._url(ending, "final-diagnosis")},
                                       "use": {"coding": [{"system": DIAGNOSIS_ROLE, "code": "DD"}]}}]
        self._add(admit, _drop_empty(encounter), carries=events)
        if diagnosis is not None and ending is not None:
            self._add(ending, diagnosis, uuid_name="final-diagnosis")

    def _ending_time(self, ending: Record | None) -> str | None:
        if ending is None:
            return None
        return self._time(ending, "died_at" if ending.kind == "encounter.death" else "discharged_at")

    def _locations(self, admit: Record, events: list[Record]) -> list[dict[str, Any]]:
        """Each ward and bed the patient was in, in order: the admission's, then each transfer's."""
        stays = [(self._time(admit, "admitted_at"), admit.fields.get("ward"), admit.fields.get("bed"))]
        stays += [(self._time(t, "transferred_at"), t.fields.get("to_ward"), t.fields.get("to_bed"))
                  for t in events if t.kind == "encounter.transfer"]
        ended = any(e.kind != "encounter.transfer" for e in events)
        locations = []
        for i, (start, ward, bed) in enumerate(stays):
            end = stays[i + 1][0] if i + 1 < len(stays) else None
            last = i + 1 == len(stays)
            place = ", ".join(p for p in (str(ward or ""), f"bed {bed}" if bed else "") if p) or "ward not recorded"
            locations.append({"location": {"display": place},
                              "status": "active" if last and not ended else "completed",
                              "period": _drop_empty({"start": start, "end": end})})
        return locations

    def _hospitalization(self, admit: Record, ending: Record | None) -> dict[str, Any]:
        hosp: dict[str, Any] = {}
        source = _ADMIT_SOURCE.get(str(admit.fields.get("admission_type") or ""))
        if source:
            hosp["admitSource"] = {"coding": [{"system": ADMIT_SOURCE, "code": source}]}
        if ending is not None:
            code = "exp" if ending.kind == "encounter.death" else _DISCHARGE[ending.fields["discharge_type"]]
            label = "Died" if ending.kind == "encounter.death" else choice_label(
                ending.kind, "discharge_type", ending.fields["discharge_type"])
            hosp["dischargeDisposition"] = {"coding": [{"system": DISCHARGE, "code": code}], "text": label}
            if ending.fields.get("referred_to"):
                hosp["destination"] = {"display": ending.fields["referred_to"]}
        return hosp

    def _final_diagnosis(self, admit: Record, ending: Record | None) -> dict[str, Any] | None:
        """The discharge's final diagnosis as a Condition (an Encounter's diagnosis must be one)."""
        if ending is None or not ending.fields.get("final_diagnosis"):
            return None
        return _drop_empty({
            "resourceType": "Condition",
            "identifier": [self._id("entry", f"{ending.uuid}/final-diagnosis", "FILL", "Downtime entry")],
            "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}],
            "code": {"text": ending.fields["final_diagnosis"]},
            "subject": self._subject(),
            "encounter": {"reference": self._url(admit)},
            "recordedDate": self._time(ending, "discharged_at"),
        })

    # -- lab ----------------------------------------------------------------------------------------

    def _lab_request(self, request: Record, results: list[Record]) -> None:
        f = request.fields
        accession = request.human_id or request.uuid
        admission = self.current.admission_for(self.group, request)
        sample = f.get("sample_type_other") or choice_label("lab.request", "sample_type", f.get("sample_type"))
        specimen_url = self._url(request, "specimen")
        accession_id = self._id("accession", accession, "ACSN", "Accession number (downtime)")
        self._add(request, _drop_empty({
            "resourceType": "Specimen",
            "identifier": [accession_id],
            "accessionIdentifier": accession_id,
            "status": "available", "type": {"text": sample}, "subject": self._subject(),
            "collection": _drop_empty({"collectedDateTime": self._time(request, "collected_at"),
                                       "collector": {"display": f["collected_by"]} if f.get("collected_by") else None}),
        }), uuid_name="specimen")
        for test in f.get("tests") or []:
            order = lab_order_id(accession, test)
            self._add(request, _drop_empty({
                "resourceType": "ServiceRequest",
                "identifier": [self._id("lab-order", order, "PLAC", "Lab order (downtime)")],
                "requisition": accession_id,
                "status": "completed" if any(same_test(r.fields.get("test", ""), test) for r in results) else "active",
                "intent": "order", "priority": f.get("priority") or "routine",
                "category": [{"coding": [{"system": SNOMED, "code": "108252007", "display": "Laboratory procedure"}]}],
                "code": {"text": test}, "subject": self._subject(),
                "encounter": {"reference": self._url(admission)} if admission else None,
                "authoredOn": request.original.recorded_at,
                "requester": {"display": f["requesting_clinician"]},
                "specimen": [{"reference": specimen_url}],
                "reasonCode": [{"text": f["clinical_details"]}] if f.get("clinical_details") else None,
                "note": [{"text": "Fasting sample"}] if f.get("fasting") else None,
            }), uuid_name=order)

    def _observation(self, result: Record) -> None:
        request = self.current.request_for(result)
        assert request is not None  # records.py holds back results without a live request
        f = result.fields
        accession = request.human_id or request.uuid
        tests = list(request.fields.get("tests") or [])
        # The order for this test, or (a test not on the request form) every order of the sample.
        based_on = [t for t in tests if same_test(f["test"], t)] or tests
        admission = self.current.admission_for(self.group, request)
        coding = [{"system": LOINC, "code": f["loinc"]}] if f.get("loinc") else []
        self._add(result, _drop_empty({
            "resourceType": "Observation",
            "identifier": [self._id("entry", result.uuid, "FILL", "Downtime entry")],
            "basedOn": [{"reference": self._url(request, lab_order_id(accession, t))} for t in based_on],
            "status": "corrected" if result.corrected else "final",
            "category": [{"coding": [{"system": OBS_CATEGORY, "code": "laboratory"}]}],
            "code": _drop_empty({"coding": coding or None, "text": f["test"]}),
            "subject": self._subject(),
            "encounter": {"reference": self._url(admission)} if admission else None,
            "effectiveDateTime": self._time(request, "collected_at") or self._time(result, "resulted_at"),
            "issued": self._time(result, "resulted_at"),
            "performer": [{"display": f["verified_by"]}],
            **_value(f),
            "interpretation": [{"coding": [{"system": INTERPRETATION, "code": _INTERPRETATION[f["flag"]]}]}]
            if f.get("flag") else None,
            "referenceRange": [{"text": f["reference_range"]}] if f.get("reference_range") else None,
            "method": {"text": f["method"]} if f.get("method") else None,
            "note": [{"text": f["comment"]}] if f.get("comment") else None,
            "specimen": {"reference": self._url(request, "specimen")},
        }))

    # -- statutory reports --------------------------------------------------------------------------

    def _composition(self, record: Record) -> dict[str, Any]:
        kind = get_kind(record.kind)
        f = record.fields
        author = f.get("certifier_name") or f.get("informant_name") or f"staff {record.current.staff}"
        custodian: dict[str, Any] = {"display": self.settings.hospital}
        if self.settings.hfr_id:
            custodian["identifier"] = {"system": HFR_SYSTEM, "value": self.settings.hfr_id}
        return _drop_empty({
            "resourceType": "Composition",
            "identifier": self._id("entry", record.uuid, "FILL", "Downtime entry"),
            "status": "amended" if record.corrected else "final",
            "type": {"coding": [{"system": FORM_SYSTEM, "code": kind.name, "display": kind.label_en}],
                     "text": kind.label_en},
            "subject": self._subject(),
            "date": record.current.recorded_at,
            "author": [{"display": author}],
            "title": kind.label_en,
            "custodian": custodian,
            "section": _sections(kind, f),
        })


# -- small helpers -------------------------------------------------------------------------------------------------

def _sections(kind: Kind, fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's fields, section by section as on the paper form, as readable narrative tables."""
    order: dict[str, list[str]] = {}
    for f in kind.fields:
        if fields.get(f.name) not in (None, "", []):
            order.setdefault(f.section, []).append(
                f"<tr><th>{html.escape(f.label_en)}</th><td>{html.escape(_shown(kind, f.name, fields[f.name]))}</td></tr>")
    sections = []
    for name, rows in order.items():
        title = kind.sections.get(name, {}).get("label_en") or kind.label_en
        sections.append({"title": title, "text": {"status": "generated",
                                                   "div": f'<div xmlns="{XHTML}"><table>{"".join(rows)}</table></div>'}})
    return sections


def _shown(kind: Kind, name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return choice_label(kind.name, name, value) or str(value)


def _abha(value: str) -> dict[str, Any]:
    return {"type": {"coding": [{"system": NDHM_ID_TYPE, "code": "ABHA",
                                 "display": "Ayushman Bharat Health Account (ABHA) ID"}]},
            "system": ABHA_SYSTEM, "value": value}


def _value(f: Mapping[str, Any]) -> dict[str, Any]:
    text = str(f["value"]).strip()
    if is_number(text):
        return {"valueQuantity": _drop_empty({"value": float(text), "unit": f.get("unit")})}
    return {"valueString": text + (f" {f['unit']}" if f.get("unit") else "")}


def _put(resource: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        resource[key] = value


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def _identifier_query(system_uri: str, value: str) -> str:
    """A search on one identifier (system|value), each part escaped as a URL query needs."""
    return f"identifier={quote(system_uri, safe=':/')}|{quote(value, safe='')}"


def _uuid5(name: str) -> uuidlib.UUID:
    """A fixed uuid per name, so a bundle built twice is byte-for-byte the same (and so is its digest)."""
    return uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"urn:downtime:{name}")


def _part_name(resource: Mapping[str, Any]) -> str:
    ident = resource["identifier"]
    ident = ident[0] if isinstance(ident, list) else ident
    return f"{resource['resourceType']} {ident['value']}"


def _values(node: Any, path: str) -> list[Any]:
    """Every value at a dotted path, through lists (``interpretation.coding.code``)."""
    nodes = [node]
    for step in path.split("."):
        nxt: list[Any] = []
        for n in nodes:
            value = n.get(step) if isinstance(n, dict) else None
            nxt += value if isinstance(value, list) else [value] if value is not None else []
        nodes = nxt
    return nodes


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _entry_problems(entry: Mapping[str, Any], rtype: str) -> list[str]:
    problems = []
    request = entry.get("request", {})
    if request.get("method") != "POST" or not str(request.get("ifNoneExist", "")).startswith("identifier="):
        problems.append(f"{rtype} is not a conditional create (POST with ifNoneExist on its identifier)")
    resource = entry.get("resource", {})
    if rtype in NRCES_PROFILED and PROFILE + rtype not in resource.get("meta", {}).get("profile", []):
        problems.append(f"{rtype} does not name its NRCeS profile")
    if rtype == "Patient":
        if not resource.get("identifier") or not all(i.get("type") for i in resource["identifier"]):
            problems.append("Patient.identifier.type is required by the NRCeS profile")
        if not resource.get("name") or not all(n.get("text") for n in resource["name"]):
            problems.append("Patient.name.text is required by the NRCeS profile")
    return problems


def _valid(built: BuiltBundle, report: PostReport) -> bool:
    try:
        validate_bundle(built.key, built.bundle)
    except FhirInvalid as exc:
        report.failed.append(Failure(built.key, str(exc)))
        return False
    return True


# -- writing and posting -------------------------------------------------------------------------------------------

def _write(bundles: list[BuiltBundle], out: Path, report: PostReport, log: PostLog) -> PostReport:
    """Write every bundle (files are always written in full, to any folder), then log them as handed over."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for built in bundles:
        path = out / f"{_file_name(built.key)}.json"
        body = built.outgoing().body
        write_atomic(path, body)
        written.append(written_file(path, body, built.entries))
        report.files.append(path)
        report.posted += 1
    log.hand_over(ADAPTER, out, written)
    return report


def _file_name(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in key)


def _poster(base: str, headers: dict[str, str], timeout: float) -> Callable[[Outgoing], str]:
    if not base.startswith(("http://", "https://")):
        raise DowntimeError(f"{base} is not an http(s) URL of a FHIR server")

    def send(item: Outgoing) -> str:
        request = urllib.request.Request(base, data=item.body, method="POST", headers={
            "Content-Type": f"{FHIR_JSON}; charset=utf-8", "Accept": FHIR_JSON, **headers})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return _receipt(json.loads(response.read()), item)
        except urllib.error.HTTPError as exc:
            reason = f"HTTP {exc.code}: {_outcome_text(exc)}"
            # 408, 429 and 5xx pass; any other answer is the server's considered refusal of this bundle.
            raise (NotDelivered if exc.code in (408, 429) or exc.code >= 500 else Rejected)(reason) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            raise NotDelivered(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None
    return send


def _receipt(answer: Mapping[str, Any], item: Outgoing) -> str:
    """A short record of the server's answer; NotDelivered unless every entry of the bundle succeeded."""
    entries = answer.get("entry", []) if answer.get("resourceType") == "Bundle" else []
    statuses = [str(e.get("response", {}).get("status", "")) for e in entries]
    if answer.get("type") != "transaction-response" or len(statuses) != len(item.parts) or \
            not all(s[:1] == "2" for s in statuses):
        raise NotDelivered(f"the server's answer is not a successful transaction-response ({', '.join(statuses)})")
    return "; ".join(f"{s} {e['response'].get('location', '')}".strip() for s, e in zip(statuses, entries))


def _outcome_text(exc: urllib.error.HTTPError) -> str:
    try:
        outcome = json.loads(exc.read() or b"{}")
    except ValueError:
        return str(exc.reason)
    issues = outcome.get("issue", []) if isinstance(outcome, dict) else []
    return "; ".join(str(i.get("diagnostics") or i.get("code")) for i in issues) or str(exc.reason)
