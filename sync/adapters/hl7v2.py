"""HL7 v2.5 write-back: the outage as the stream of ADT, ORM and ORU events the HMIS missed.

HL7 v2 is a stream of events, so each journaled version of a record becomes one message, in clinical
order per patient: the original is the event (A04 register, A01 admit, A02 transfer, A03 discharge or
death, ORM^O01 new order, ORU^R01 result) and each correction that follows is its update (A08 for
patients and visits, ORM^O01 with ORC-1 XO for the tests kept, NW for those added and CA for those
dropped, ORU^R01 with result status C for a result).
A voided record sends nothing. A message's content is a function of one immutable entry version and
the patient's identity, so its control ID (MSH-10) and bytes are the same on every run: resending is
recognised by the post log, and the HMIS can de-duplicate by MSH-10.

PID-3 carries the UHID (assigning authority = the HMIS's, type MR) for a matched patient, with the
downtime ID as an alias, or the downtime ID (type PI, assigning authority ``DT-<site>``) for a new one.
The HMIS's assigning authority (PID-3.4, also on its own IP numbers in PV1-19) is whatever namespace the
HMIS files UHIDs under: ``reconcile post --uhid-authority`` sets it, and "HMIS" stands in without it.
A new patient's PID carries all the ward recorded; a matched patient's only the name and sex (the
HMIS's own address, phone and date of birth are not overwritten by what a ward wrote in a hurry). A
patient known only by a UHID typed during the outage has no name in the outage records: PID-5 then
carries the explicit null ``""``, and no A08 is ever sent for such a patient. Names are not split into
given and family name (Indian names do not split reliably): the whole name is PID-5.1.

Files are named by sending order and MSH-10, so writing the same records again rewrites the same files;
after decisions or records change, write to a new folder so no earlier file is read twice. Each file
written is logged as handed over (``post_state.PostLog.hand_over``), so the report counts its entries
as posted.

Every message is parsed back with hl7apy at STRICT level and validated (structure, data types, lengths,
HL7 tables) before it is written or sent; with many messages, in worker processes (hl7apy needs about
50 ms a message). MLLP sending waits for each ACK: AA is acknowledged, AE and
AR are refusals reported with their text, and no ACK (timeout, dropped connection) is retried.

Not carried by HL7 v2 (reported as held): the statutory reports (death report, stillbirth, MCCD have no
v2.5 message; the birth report registers the newborn by A04) and ward notes. Use FHIR or CSV for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import re
import socket
import tempfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from hl7apy import load_reference
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_message

from downtime.atomic_file import write_atomic
from downtime.errors import DowntimeError
from downtime.ids import looks_like_id
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
    CurrentRecords,
    Decisions,
    PatientGroup,
    Record,
    Version,
    choice_label,
    current_records,
    is_number,
    lab_order_id,
    patient_row,
    same_test,
    system,
)
from sync.workspace import Workspace

ADAPTER = "hl7v2"
VERSION = "2.5"
START, END = b"\x0b", b"\x1c\x0d"   # MLLP framing
ST_MAX, IS_MAX = 199, 20            # HL7 2.5 lengths of ST and IS values (hl7apy enforces them at STRICT)
_SEX = {"male": "M", "female": "F", "other": "O"}
_PRIORITY = {"routine": "R", "urgent": "A", "stat": "S"}
_ADMISSION_TYPE = {"emergency": "E", "elective": "C", "transfer_in": "R"}
# Table 0112 (UB-92 values): home, other hospital, left against advice, expired. An absconded patient also
# left without being discharged: 07 is the nearest, and the discharge type is in the CSV output.
_DISPOSITION = {"normal": "01", "referred": "02", "lama": "07", "absconded": "07", "died": "20"}
_FLAG = {"normal": "N", "low": "L", "high": "H", "critical": "AA", "abnormal": "A"}
_SPECIMEN = {"blood": "BLD", "serum": "SER", "plasma": "PLAS", "urine": "UR", "stool": "STL", "csf": "CSF",
             "sputum": "SPT"}
PARALLEL_MIN = 200  # messages; fewer are validated faster than worker processes start
# Forked, not spawned (a spawned worker would start the program again); where fork does not exist, one process.
WORKERS = (os.cpu_count() or 1) if "fork" in multiprocessing.get_all_start_methods() else 1
_MISSING_CHILD = re.compile(r"^Error: Missing required child (\w+)\.(\w+)$")
_NAMESPACE = re.compile(rf"[!-~]{{1,{IS_MAX}}}")  # HD.1 is an IS: printable, no spaces; delimiters apart
_DELIMITERS = "|^~\\&"
NOT_CARRIED = {"death.report": "a death report", "stillbirth.report": "a stillbirth report", "mccd": "an MCCD",
               "note": "a ward note"}


@dataclass(frozen=True)
class Hl7Settings:
    site: str
    uhid_authority: str = "HMIS"          # PID-3.4 of UHIDs: the HMIS's assigning authority namespace
    sending_application: str = "DOWNTIME"
    receiving_application: str = "HMIS"
    processing_id: str = "P"              # MSH-11: P production, T training


@dataclass(frozen=True)
class Hl7Message:
    key: str            # "<trigger>:<entry version uuid>": stable across runs
    control_id: str     # MSH-10 (20 characters at most in 2.5)
    trigger: str        # e.g. ADT^A01
    text: str           # ER7, segments ended by CR
    entries: tuple[str, ...]

    def outgoing(self) -> Outgoing:
        body = self.text.encode("utf-8")
        return Outgoing(self.key, body, {self.key: digest_of(body)}, self.entries)


class Hl7Invalid(DowntimeError):
    pass


def check_uhid_authority(value: str) -> str:
    """The HMIS's assigning authority for UHIDs (PID-3.4) as given, or DowntimeError saying how to write it."""
    text = value.strip()
    if len(text) > IS_MAX:
        raise DowntimeError(f"--uhid-authority {text!r} is {len(text)} characters; HL7 v2.5 allows {IS_MAX} "
                            "characters: give the HMIS's short namespace for UHIDs (ask the HMIS team)")
    if not _NAMESPACE.fullmatch(text) or any(c in _DELIMITERS for c in text):
        raise DowntimeError(f"--uhid-authority {text!r} is not an HL7 namespace: write it without spaces or "
                            f"the characters {' '.join(_DELIMITERS)}, e.g. AIIMSHIS (ask the HMIS team)")
    return text


def settings_for(ws: Workspace, uhid_authority: str | None = None) -> Hl7Settings:
    """The site's settings; without ``uhid_authority``, "HMIS" stands in (set the HMIS's own for real use)."""
    if uhid_authority is None:
        return Hl7Settings(ws.site)
    return Hl7Settings(ws.site, uhid_authority=check_uhid_authority(uhid_authority))


# -- the public calls ----------------------------------------------------------------------------------------------

def write_hl7(ws: Workspace, decisions: Decisions, out: Path, *, settings: Hl7Settings | None = None) -> PostReport:
    """Write each message to ``out`` as one .hl7 file, named in the order the HMIS must read them."""
    messages, report = _prepared(ws, decisions, str(out), settings)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for n, message in enumerate(messages, start=1):
        path = out / f"{n:06d}_{message.trigger.replace('^', '_')}_{message.control_id}.hl7"
        body = message.text.encode("utf-8")
        write_atomic(path, body)
        written.append(written_file(path, body, message.entries))
        report.files.append(path)
        report.posted += 1
    PostLog(ws.db).hand_over(ADAPTER, out, written)  # the report counts them as posted, handed over as files
    return report


def send_hl7(ws: Workspace, decisions: Decisions, host: str, port: int, *, settings: Hl7Settings | None = None,
             timeout: float = 30.0, retry: RetryPolicy = DEFAULT_RETRY) -> PostReport:
    """Send each message not yet acknowledged over MLLP, in order, waiting for its ACK."""
    messages, report = _prepared(ws, decisions, f"mllp://{host}:{port}", settings, resuming=True)
    link = MllpLink(host, port, timeout)
    try:
        # An event sent twice would happen twice in the HMIS: a changed message is reported, never resent.
        return deliver((m.outgoing() for m in messages), link.send, PostLog(ws.db), report, retry=retry,
                       resend_changed=False)
    finally:
        link.close()


def mllp_address(url: str) -> tuple[str, int]:
    """(host, port) of an ``mllp://host:port`` URL, as ``reconcile post --adapter hl7v2 --url`` takes it."""
    parsed = urlsplit(url)
    if parsed.scheme != "mllp" or not parsed.hostname or not parsed.port:
        raise DowntimeError(f"{url} is not an MLLP address; write it as mllp://host:port, e.g. mllp://hmis:2575")
    return parsed.hostname, parsed.port


def build_messages(current: CurrentRecords, settings: Hl7Settings) -> tuple[list[Hl7Message], list[Failure]]:
    """Every message in sending order, and the records HL7 v2 does not carry."""
    messages: list[Hl7Message] = []
    not_carried: list[Failure] = []
    for group in current.groups:
        builder = _GroupMessages(current, group, settings)
        messages += builder.messages()
        not_carried += builder.not_carried
    return messages, not_carried


def validate_message(text: str) -> Message:
    """Parse at STRICT level and validate; raise Hl7Invalid naming the problems (table values included)."""
    try:
        message = parse_message(text, validation_level=VALIDATION_LEVEL.STRICT, find_groups=True)
    except (HL7apyException, ValueError) as exc:  # hl7apy raises a plain ValueError for a malformed date
        raise Hl7Invalid(f"{type(exc).__name__}: {exc}") from None
    problems = [p for p in _validation_report(message) if p]
    if problems:
        raise Hl7Invalid("; ".join(problems))
    return message


def _validation_report(message: Message) -> list[str]:
    """Every error and warning hl7apy finds. It raises only the first error and reports values outside HL7
    tables and over-long fields only as warnings, in a report file: read that file instead."""
    fd, path = tempfile.mkstemp(suffix=".txt")
    os.close(fd)
    try:
        try:
            message.validate(report_file=path)
        except HL7apyException:
            pass  # all of it is in the report
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    finally:
        os.unlink(path)
    return _without_choice_artifacts(lines)


def _without_choice_artifacts(lines: list[str]) -> list[str]:
    """hl7apy checks a *choice* group (ORM's OBR|RQD|RQ1|RXO|ODS|ODT) as if every alternative were required:
    drop those errors when at least one alternative is present, keep them when all are missing."""
    missing: dict[str, list[str]] = {}
    for line in lines:
        found = _MISSING_CHILD.match(line)
        if found and _is_choice(found[1]):
            missing.setdefault(found[1], []).append(line)
    artifacts = {line for group, errs in missing.items()
                 if len(set(errs)) < len(load_reference(group, "Group", VERSION)[1]) for line in errs}
    return [line for line in lines if line not in artifacts]


def _is_choice(group: str) -> bool:
    try:
        return bool(load_reference(group, "Group", VERSION)[0] == "choice")
    except HL7apyException:
        return False


def _prepared(ws: Workspace, decisions: Decisions, target: str, settings: Hl7Settings | None, *,
              resuming: bool = False) -> tuple[list[Hl7Message], PostReport]:
    """The messages to write or send, each validated; invalid ones reported as failed."""
    current = current_records(ws, decisions)
    messages, not_carried = build_messages(current, settings or Hl7Settings(ws.site))
    report = report_for(ADAPTER, target, current, not_carried)
    # hl7apy takes about 50 ms a message: what the HMIS acknowledged unchanged was validated when it was sent.
    acked = PostLog(ws.db).acknowledged(ADAPTER, target) if resuming else {}
    to_check = [m for m in messages if m.key not in acked or acked[m.key].digest != m.outgoing().digest]
    problems = {m.key: p for m, p in zip(to_check, _problems([m.text for m in to_check])) if p}
    report.failed += [Failure(m.key, f"{m.trigger} is not valid HL7 v2.5: {problems[m.key]}")
                      for m in messages if m.key in problems]
    return [m for m in messages if m.key not in problems], report


def _problems(texts: list[str]) -> list[str]:
    """Validate many messages, in worker processes when there are enough to be worth starting them."""
    if len(texts) < PARALLEL_MIN or WORKERS < 2:
        return [_problem(t) for t in texts]
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_problem, texts, chunksize=50))


def _problem(text: str) -> str:
    try:
        validate_message(text)
    except Hl7Invalid as exc:
        return str(exc)
    return ""


# -- building ------------------------------------------------------------------------------------------------------

@dataclass
class _GroupMessages:
    current: CurrentRecords
    group: PatientGroup
    settings: Hl7Settings
    not_carried: list[Failure] = field(default_factory=list)

    def messages(self) -> Iterator[Hl7Message]:
        if self.group.decision == "none":  # a report about someone who was never a patient here
            self.not_carried += [Failure(r.name, f"{r.kind}: HL7 v2.5 has no message for it; use FHIR or CSV")
                                 for r in self.group.records]
            return
        for record in self.group.all_records:
            if record.kind in NOT_CARRIED:
                self.not_carried.append(Failure(record.name, f"HL7 v2.5 has no message for {NOT_CARRIED[record.kind]}"
                                                "; use FHIR or CSV"))
                continue
            for n, version in enumerate(record.versions):
                message = self._message(record, version, correction=n > 0)
                if message is not None:
                    yield message

    def _message(self, record: Record, version: Version, *, correction: bool) -> Hl7Message | None:
        kind = record.kind
        if kind in ("patient.register", "birth.report"):
            if record is not self.group.registration or self.group.decision != "new":
                return None  # a matched patient's demographics are the HMIS's own; only new patients register
            return self._adt("A08" if correction else "A04", record, version)
        if kind in _ADT_EVENTS:
            return self._adt("A08" if correction else _ADT_EVENTS[kind], record, version)
        if kind == "lab.request":
            return self._order(record, version)
        if kind == "lab.result":
            return self._result(record, version, correction)
        return None

    def _compose(self, trigger: str, version: Version, body: list[str]) -> Hl7Message:
        """The message for one entry version: MSH (its control ID derived from the version) and ``body``."""
        control = _control_id(trigger, version.uuid)
        s = self.settings
        msh = _segment("MSH", {1: "|", 2: "^~\\&", 3: _e(s.sending_application), 4: _e(s.site),
                               5: _e(s.receiving_application), 6: _e(s.site), 7: _ts(version.recorded_at),
                               9: f"{trigger}^{_STRUCTURE.get(trigger, trigger.replace('^', '_'))}", 10: control,
                               11: s.processing_id, 12: VERSION, 18: "UNICODE UTF-8"})
        text = "\r".join([msh, *body]) + "\r"
        return Hl7Message(f"{trigger}:{version.uuid}", control, trigger, text, (version.uuid,))

    # -- common segments ------------------------------------------------------------------------------

    def _pid(self, died_at: str = "", as_of: Version | None = None) -> str:
        """PID: the identifiers always; the name and sex the ward recorded; the rest only for a new patient
        (a matched patient's address, phone and date of birth are the HMIS's own and are not overwritten).
        ``as_of``: the registration's own messages carry the version they announce (A04 the original, A08
        each correction); every other message carries the patient as finally corrected."""
        reg = self.group.registration
        if reg is not None and as_of is not None:
            reg = _as_version(reg, as_of)
        row = patient_row(reg) if reg is not None else {}
        fields = {1: "1", 3: "~".join(self._patient_ids(row)), 5: _e(row.get("name")) if row.get("name") else '""',
                  8: _SEX.get(str(row.get("sex") or ""), "U" if row else ""), 29: died_at, 30: "Y" if died_at else ""}
        if self.group.decision == "new":
            fields.update({7: _date(row.get("dob")), 11: _address(row.get("address"), row.get("pincode")),
                           13: f"{row['phone']}^PRN^CP" if row.get("phone") else ""})
            if reg is not None and reg.kind == "birth.report" and reg.fields.get("mother"):
                fields[21] = self._patient_ref(str(reg.fields["mother"]))
        return _segment("PID", fields)

    def _patient_ids(self, row: Mapping[str, object]) -> list[str]:
        g = self.group
        ids = [_cx(g.uhid, self.settings.uhid_authority, "MR")] if g.decision == "matched" and g.uhid else []
        ids += [_cx(i, self._authority("patient"), "PI") for i in g.downtime_ids]
        if row.get("abha"):
            ids.append(_cx(str(row["abha"]), "ABDM", "NI"))
        return ids

    def _patient_ref(self, ref: str) -> str:
        ref = ref.strip().upper()
        if looks_like_id(ref):
            return _cx(ref, self._authority("patient"), "PI")
        return _cx(ref, self.settings.uhid_authority, "MR")

    def _authority(self, what: str) -> tuple[str, str]:
        return (f"DT-{self.settings.site}"[:IS_MAX], system(self.settings.site, what))

    def _pv1(self, record: Record | None, event_fields: Mapping[int, str] | None = None) -> str:
        """PV1 of the admission ``record`` belongs to (itself, for an admission), with the event's own fields.
        No record: a registration, which is no visit (patient class N)."""
        if record is None:
            return _segment("PV1", {1: "1", 2: "N"})
        fields = {1: "1", 2: "I"}
        admit = record if record.kind == "encounter.admit" else self.current.admission_for(self.group, record)
        if admit is not None:
            f = admit.fields
            fields.update({3: _location(f.get("ward"), f.get("bed")),
                           4: _ADMISSION_TYPE.get(str(f.get("admission_type")), ""),
                           17: _xcn(f.get("admitting_doctor")),
                           19: _cx(admit.human_id or admit.uuid, self._authority("admission"), "VN"),
                           44: _ts_field(admit, "admitted_at")})
        elif record.fields.get("hmis_ip_number"):  # an admission from before the outage: the HMIS's own number
            fields[19] = _cx(str(record.fields["hmis_ip_number"]), self.settings.uhid_authority, "VN")
        fields.update({k: v for k, v in (event_fields or {}).items() if v})
        return _segment("PV1", fields)

    # -- ADT -------------------------------------------------------------------------------------------

    def _adt(self, event: str, record: Record, version: Version) -> Hl7Message:
        occurred = _ts_field(record, _CLINICAL_FIELD.get(record.kind, ""), version)
        died = occurred if record.kind == "encounter.death" else ""
        return self._compose(f"ADT^{event}", version, [
            _segment("EVN", {2: _ts(version.recorded_at), 5: _e(version.staff), 6: occurred}),
            self._pid(died, version if record is self.group.registration else None),
            self._adt_pv1(record, version)])

    def _adt_pv1(self, record: Record, version: Version) -> str:
        f = version.fields
        if record.kind in ("patient.register", "birth.report"):
            return self._pv1(None)
        if record.kind == "encounter.admit":
            return self._pv1(_as_version(record, version))
        if record.kind == "encounter.transfer":
            return self._pv1(record, {3: _location(f.get("to_ward"), f.get("to_bed")),
                                      6: _location(f.get("from_ward"), f.get("from_bed"))})
        died = record.kind == "encounter.death"
        return self._pv1(record, {36: _DISPOSITION["died" if died else str(f.get("discharge_type"))],
                                  45: _ts_field(record, "died_at" if died else "discharged_at", version)})

    # -- lab ---------------------------------------------------------------------------------------

    def _order(self, record: Record, version: Version) -> Hl7Message:
        """ORM: one ORC/OBR per test. A correction orders what it added (NW), changes what stayed (XO) and
        cancels what it dropped (CA)."""
        f = version.fields
        accession = record.human_id or record.uuid
        index = record.versions.index(version)
        before = list(record.versions[index - 1].fields.get("tests") or []) if index else []
        tests = list(f.get("tests") or [])
        dropped = [t for t in before if not any(same_test(t, now) for now in tests)]
        body = [self._pid(), self._pv1(record)]
        for n, test in enumerate([*tests, *dropped], start=1):
            placer = _e(lab_order_id(accession, test))
            control = "CA" if test in dropped else "XO" if any(same_test(test, b) for b in before) else "NW"
            body.append(_segment("ORC", {1: control, 2: placer, 4: _e(accession),
                                         7: f"^^^^^{_PRIORITY.get(str(f.get('priority')), 'R')}",
                                         9: _ts(version.recorded_at), 12: _xcn(f.get("requesting_clinician"))}))
            body.append(_segment("OBR", {1: str(n), 2: placer, 4: f"^{_e(test)}",
                                         7: _ts_field(record, "collected_at", version),
                                         15: _specimen(f), 16: _xcn(f.get("requesting_clinician"))}))
            body += _notes(f.get("clinical_details"), "Fasting sample" if f.get("fasting") else None)
        return self._compose("ORM^O01", version, body)

    def _result(self, record: Record, version: Version, correction: bool) -> Hl7Message:
        f = version.fields
        request = self.current.request_for(record)
        assert request is not None  # records.py holds back results without a live request
        accession = request.human_id or request.uuid
        test = str(f.get("test", ""))
        on_form = any(same_test(test, t) for t in request.fields.get("tests") or [])
        placer = _e(lab_order_id(accession, test) if on_form else accession)
        status = "C" if correction else "F"
        value_type, value = _obx_value(str(f.get("value", "")))
        code = f"{_e(f['loinc'])}^{_e(test)}^LN" if f.get("loinc") else f"^{_e(test)}"
        return self._compose("ORU^R01", version, [
            self._pid(), self._pv1(request),
            _segment("ORC", {1: "RE", 2: placer, 4: _e(accession)}),
            _segment("OBR", {1: "1", 2: placer, 4: f"^{_e(test)}", 7: _ts_field(request, "collected_at"),
                             22: _ts_field(record, "resulted_at", version), 25: status}),
            _segment("OBX", {1: "1", 2: value_type, 3: code, 5: value,
                             6: f"^{_e(f['unit'])}" if f.get("unit") else "", 7: _e(f.get("reference_range")),
                             8: _FLAG.get(str(f.get("flag")), ""), 11: status,
                             14: _ts_field(record, "resulted_at", version), 16: _xcn(f.get("verified_by")),
                             17: f"^{_e(f['method'])}" if f.get("method") else ""}),
            *_notes(f.get("comment"))])


_CLINICAL_FIELD = {"encounter.admit": "admitted_at", "encounter.transfer": "transferred_at",
                   "encounter.discharge": "discharged_at", "encounter.death": "died_at"}
_ADT_EVENTS = {"encounter.admit": "A01", "encounter.transfer": "A02", "encounter.discharge": "A03",
               "encounter.death": "A03"}
# MSH-9.3, the message structure of each trigger (A04 and A08 share A01's structure).
_STRUCTURE = {"ADT^A01": "ADT_A01", "ADT^A04": "ADT_A01", "ADT^A08": "ADT_A01", "ADT^A02": "ADT_A02",
              "ADT^A03": "ADT_A03", "ORM^O01": "ORM_O01", "ORU^R01": "ORU_R01"}


# -- ER7 helpers ---------------------------------------------------------------------------------------------------

def _segment(name: str, fields: Mapping[int, str | None]) -> str:
    """One segment from its fields by number; MSH counts its field separator as field 1."""
    if name == "MSH":
        return "MSH|" + "|".join(fields.get(i) or "" for i in range(2, max(fields) + 1))
    last = max((i for i, v in fields.items() if v), default=0)
    return "|".join([name, *(fields.get(i) or "" for i in range(1, last + 1))])


def _e(value: object) -> str:
    """Escape HL7 delimiters in free text (the escape character first), and keep it on one line."""
    text = str(value or "")
    for char, seq in (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\")):
        text = text.replace(char, seq)
    return " ".join(text.split())


def _fit(raw: str, limit: int) -> list[str]:
    """Escaped pieces of at most ``limit`` characters, split between words where possible (nothing is cut off:
    a piece still too long fails validation, loudly)."""
    pieces, line = [], ""
    for word in raw.split():
        candidate = f"{line} {word}" if line else word
        if len(_e(candidate)) <= limit or not line:
            line = candidate
        else:
            pieces.append(_e(line))
            line = word
    return [*pieces, _e(line)] if line else pieces


def _cx(value: str, authority: str | tuple[str, str], type_code: str) -> str:
    """CX: ID^^^assigning authority^type; the authority a namespace, or (namespace, URI)."""
    hd = f"{_e(authority[0])}&{_e(authority[1])}&URI" if isinstance(authority, tuple) else _e(authority)
    return f"{_e(value)}^^^{hd}^{type_code}"


def _xcn(name: object) -> str:
    return f"^{_e(name)}" if name else ""


def _location(ward: object, bed: object) -> str:
    """PL: point of care and bed are IS (20 characters); a longer ward name goes to the description (PL.9)."""
    ward_text, bed_text = _e(ward), _e(bed)
    if not ward_text and not bed_text:
        return ""
    if len(ward_text) <= IS_MAX and len(bed_text) <= IS_MAX:
        return f"{ward_text}^^{bed_text}"
    return f"^^^^^^^^{_e(' '.join(p for p in (str(ward or ''), f'bed {bed}' if bed else '') if p))}"


def _address(text: object, pincode: object) -> str:
    """XAD: the address text over street (XAD.1) and other designation (XAD.2), PIN code, India."""
    pieces = _fit(str(text), ST_MAX) if text else []
    if not pieces and not pincode:
        return ""
    street, other = (pieces[0] if pieces else ""), " ".join(pieces[1:])
    return f"{street}^{other}^^^{_e(pincode)}^IND"


def _specimen(f: dict[str, object]) -> str:
    code = _SPECIMEN.get(str(f.get("sample_type")), "")
    text = str(f.get("sample_type_other") or choice_label("lab.request", "sample_type", f.get("sample_type")))
    return f"{code}&{_e(text)}" if code else f"&{_e(text)}"


def _notes(*texts: object) -> list[str]:
    return [_segment("NTE", {1: str(n), 3: _e(t)}) for n, t in enumerate((t for t in texts if t), start=1)]


def _obx_value(value: str) -> tuple[str, str]:
    """OBX-2 and OBX-5: a number (NM), short text (ST), or long text (TX, which has room for 500 characters)."""
    text = value.strip()
    if is_number(text):
        return "NM", text
    return ("ST" if len(_e(text)) <= ST_MAX else "TX"), _e(text)


def _ts(iso: str | None) -> str:
    """An ISO date-time with offset as an HL7 TS (YYYYMMDDHHMMSS+ZZZZ)."""
    if not iso:
        return ""
    t = dt.datetime.fromisoformat(iso)
    return t.strftime("%Y%m%d%H%M%S") + (t.strftime("%z") if t.tzinfo else "")


def _ts_field(record: Record | None, name: str, version: Version | None = None) -> str:
    if record is None or not name:
        return ""
    when = _as_version(record, version).field_time(name) if version else record.field_time(name)
    return _ts(when.isoformat()) if when else ""


def _as_version(record: Record, version: Version) -> Record:
    """The record as it stood at ``version`` (a correction's message carries the fields it set)."""
    upto = record.versions[:record.versions.index(version) + 1]
    return Record(record.uuid, record.kind, record.human_id, record.device, record.clinical_at, upto)


def _date(value: object) -> str:
    return str(value).replace("-", "") if value else ""


def _control_id(trigger: str, version_uuid: str) -> str:
    return hashlib.sha256(f"{trigger}:{version_uuid}".encode()).hexdigest()[:20]


# -- MLLP ----------------------------------------------------------------------------------------------------------

class MllpLink:
    """One MLLP connection to the HMIS, reopened after a failure; ``send`` returns the ACK's summary."""

    def __init__(self, host: str, port: int, timeout: float):
        self.address = (host, port)
        self.timeout = timeout
        self.sock: socket.socket | None = None

    def send(self, item: Outgoing) -> str:
        try:
            if self.sock is None:
                self.sock = socket.create_connection(self.address, timeout=self.timeout)
            self.sock.sendall(START + item.body + END)
            ack = self._read_frame()
        except OSError as exc:  # refused, reset, timed out: the message may or may not have arrived
            self.close()
            raise NotDelivered(f"{type(exc).__name__}: {exc}") from None
        return _ack_result(ack, _field(item.body.decode("utf-8"), "MSH", 10))

    def _read_frame(self) -> str:
        assert self.sock is not None
        data = b""
        while not data.endswith(END):
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("the HMIS closed the connection without an ACK")
            data += chunk
        start = data.find(START)
        return data[start + 1:-len(END)].decode("utf-8", "replace")

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _ack_result(ack: str, control_id: str) -> str:
    code, acked_id, text = _field(ack, "MSA", 1), _field(ack, "MSA", 2), _field(ack, "MSA", 3)
    if acked_id != control_id:
        raise NotDelivered(f"the ACK is for message {acked_id!r}, not {control_id!r}")
    error = text or _field(ack, "ERR", 8) or _field(ack, "ERR", 1)
    if code in ("AA", "CA"):
        return f"{code} {control_id}"
    if code in ("AE", "AR", "CE", "CR"):
        raise Rejected(f"{code}{': ' + error if error else ''}")
    raise NotDelivered(f"the answer is not an HL7 ACK (MSA-1 {code!r})")


def _field(message: str, segment: str, number: int) -> str:
    """A field of the first ``segment`` in an ER7 message (MSH counts its separator as field 1)."""
    for line in message.replace("\n", "\r").split("\r"):
        if line.startswith(segment + "|"):
            parts = line.split("|")
            index = number - 1 if segment == "MSH" else number
            return parts[index] if index < len(parts) else ""
    return ""
