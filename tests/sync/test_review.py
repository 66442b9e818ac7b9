"""The review queue's core: officer decisions journaled with their staff ID, kept from the matcher, revisited as
new decisions, and import conflicts resolved so that the write-back and the status see it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlcipher3

from downtime.errors import DowntimeError, NotFoundError, PermissionDeniedError
from downtime.journal import GENESIS, entry_hash
from downtime.session import Session, login
from sync.adapters.records import current_records
from sync.bundle import Span, seal_bundle
from sync.decisions import load_decisions, officer_history, registrations, save_decisions
from sync.match import match_all
from sync.mpi import MpiIndex, MpiRecord, write_mpi_ndjson
from sync.person import age_between
from sync.review import Review
from sync.status import workspace_status
from sync.workspace import Workspace
from tests.conftest import ADMIN_ID, ADMIN_PIN
from tests.sync.conftest import PASSPHRASE, device_key, export, make_office, make_ward, nurse_session, seal_to
from tests.sync.test_cli_sync import OFFICE, ok
from tests.test_cli import run

OFFICER_ID, OFFICER_PIN = "R5001", "581730"   # a records officer at the records office PC
CLERK_ID, CLERK_PIN = "W6001", "604913"       # a ward-role login on the same PC: may not decide

# Each registration is chosen for what the matcher makes of it against MPI below.
REGISTRATIONS = {
    "sunita": {"name": "Sunita Devi", "sex": "female", "age_years": 45, "phone": "9876543210",
               "address": "House 12, Sector 4, R K Puram", "pincode": "110022", "relative": "W/o Ramesh Kumar"},
    # review: two Imrans of Jamia Nagar; the best has another phone, the second the same one
    "imran": {"name": "Mohd. Imran", "sex": "male", "age_years": 41, "phone": "9812345678",
              "address": "Jamia Nagar", "pincode": "110025", "relative": "S/o Abdul Rashid"},
    # review: sisters (or one patient registered twice in the HMIS) fit equally well
    "pooja": {"name": "Pooja Sharma", "sex": "female", "age_years": 30, "phone": "9811122233",
              "address": "B-14 Lajpat Nagar", "pincode": "110024", "relative": "D/o Raj Sharma"},
    # new: only her mother's household is in the HMIS
    "anjali": {"name": "Anjali Verma", "sex": "female", "age_years": 29, "phone": "9900112233",
               "address": "Lane 2, Dwarka", "pincode": "110075", "relative": "D/o Suresh Verma"},
}
MPI = [
    MpiRecord("AIIMS-000123", "Sunita Devi", "female", "1981", "9876543210", "House 12, Sector 4, R K Puram",
              "110022", "Ramesh Kumar", "wo"),
    MpiRecord("AIIMS-000124", "Ramesh Kumar", "male", "1976", "9876543210", "House 12, Sector 4, R K Puram",
              "110022"),
    MpiRecord("AIIMS-000456", "Mohammed Imran", "male", "1984-03-15", "9812345678", "Flat 3, Jamia Nagar",
              "110025", "Abdul Rashid", "so"),
    MpiRecord("AIIMS-000457", "Mohd Imran", "male", "1983", "9811111111", "Batla House, Jamia Nagar", "110025",
              "Abdul Rashid", "so"),
    MpiRecord("AIIMS-000789", "Kavita Verma", "female", "1960", "9900112233", "Lane 2, Dwarka", "110075"),
    MpiRecord("AIIMS-000790", "Pooja Sharma", "female", "1995", "9811122233", "B-14 Lajpat Nagar", "110024",
              "Raj Sharma", "do"),
    MpiRecord("AIIMS-000791", "Puja Sharma", "female", "1996", "9811122233", "B-14 Lajpat Nagar", "110024",
              "Raj Sharma", "do"),
]


@dataclass(frozen=True)
class ReviewSite:
    """A records office that imported one ward's registrations and matched them against MPI."""

    root: Path
    office: Path
    ward: Path
    entries: dict[str, str]      # registration key -> entry uuid
    downtime_ids: dict[str, str]

    def workspace(self) -> Workspace:
        return Workspace.open(self.office, PASSPHRASE)

    def officer(self) -> Session:
        return login(self.office, OFFICER_ID, OFFICER_PIN)


def build_review_site(root: Path) -> ReviewSite:
    office, ward = make_office(root / "ro"), make_ward(root / "ward")
    admin = login(office, ADMIN_ID, ADMIN_PIN)
    admin.add_staff(OFFICER_ID, "Records Officer", "records", OFFICER_PIN)
    admin.add_staff(CLERK_ID, "Ward Clerk", "ward", CLERK_PIN)
    admin.close()
    seal_to(ward, office)
    nurse = nurse_session(ward)
    try:
        made = {key: nurse.record("patient.register", fields) for key, fields in REGISTRATIONS.items()}
    finally:
        nurse.close()
    usb = root / "usb"
    usb.mkdir()
    ws = Workspace.open(office, PASSPHRASE)
    try:
        ws.trust(device_key(ward))
        ws.import_file(export(ward, usb).path)
        regs = registrations(ws)
        save_decisions(ws, match_all(regs, MpiIndex.build(MPI)), mpi=MpiIndex.build(MPI), registrations=regs)
    finally:
        ws.close()
    return ReviewSite(root, office, ward, {k: e.uuid for k, e in made.items()},
                      {k: str(e.human_id) for k, e in made.items()})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ReviewSite:
    return build_review_site(tmp_path_factory.mktemp("review"))


@pytest.fixture
def review_site(built: ReviewSite, tmp_path: Path) -> ReviewSite:
    """A fresh copy of the matched site for each test (building it takes longer than copying it)."""
    shutil.copytree(built.root, tmp_path / "site")
    root = tmp_path / "site"
    return ReviewSite(root, root / "ro", root / "ward", built.entries, built.downtime_ids)


@pytest.fixture
def review(review_site: ReviewSite) -> Iterator[Review]:
    ws, officer = review_site.workspace(), review_site.officer()
    yield Review(ws, officer)
    officer.close()
    ws.close()


def journal_entries(session: Session, kind: str) -> list[tuple[str, dict[str, object]]]:
    return [(e.staff, e.payload) for e in session.journal.entries(kind=kind)]


def send_conflicting_copy(site: ReviewSite, ws: Workspace, key: str, changes: dict[str, object]) -> str:
    """Another PC sends the registration ``key`` under the same uuid with other content (a cloned journal
    whose copy was then edited); returns the later copy's hash."""
    other = make_ward(site.root / "w8", device="W8-PC1", block=8)
    seal_to(other, site.office)
    ws.trust(device_key(other))
    columns = ["seq", "device", "uuid", "kind", "human_id", "payload", "staff", "recorded_at", "clinical_at",
               "downtime_event", "supersedes", "prev_hash"]
    held = dict(zip(columns, ws.db.execute(f"SELECT {', '.join(columns)} FROM entries WHERE uuid = ?",
                                           [site.entries[key]]).fetchone(), strict=True))
    payload = {**json.loads(held["payload"]), **changes}
    row = {**held, "seq": 1, "device": "W8-PC1", "prev_hash": GENESIS,
           "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))}
    row["hash"] = entry_hash(row)
    span = Span(1, 1, GENESIS, row["hash"], dict(Counter([row["kind"]])))
    session = nurse_session(other)
    try:
        sealed = seal_bundle(json.dumps(row, ensure_ascii=False).encode() + b"\n", span, site="AIIMS",
                             site_name="AIIMS New Delhi", device="W8-PC1", signing_key=session.secrets.signing_key,
                             office_public=bytes(ws.office.sealing_key.public_key), full=False,
                             created_at="2026-11-22T10:00:00+05:30")
    finally:
        session.close()
    assert ws.import_bytes(sealed.data, "w8.dtb").conflicts == 1
    return str(row["hash"])


# -- the queue ------------------------------------------------------------------------------------------

def test_the_queue_lists_the_doubtful_registrations_in_a_stable_order(review: Review,
                                                                       review_site: ReviewSite) -> None:
    queue = review.queue()
    ids = review_site.downtime_ids
    assert [(i.name, i.downtime_id) for i in queue.items] == [("Mohd. Imran", ids["imran"]),
                                                               ("Pooja Sharma", ids["pooja"])]
    assert ids["imran"] < ids["pooja"]  # registered in that order: the queue follows the downtime IDs
    assert (queue.left, queue.total, queue.progress()) == (2, 2, "2 of 2 left")
    everything = review.queue("all")
    assert {i.name: i.decision for i in everything.items} == {
        "Sunita Devi": "matched", "Mohd. Imran": "review", "Pooja Sharma": "review", "Anjali Verma": "new"}
    assert [i.downtime_id for i in everything.items] == sorted(review_site.downtime_ids.values())
    assert everything.progress() == "2 of 2 left"  # progress counts the review work whichever list is shown
    with pytest.raises(DowntimeError, match="scope must be one of review, all"):
        review.queue("later")  # type: ignore[arg-type]


def test_an_item_shows_each_candidate_field_by_field_with_the_matchers_marks(review: Review,
                                                                             review_site: ReviewSite) -> None:
    item = review.item(review_site.entries["imran"])
    assert item.matcher_decision == "review" and "2 MPI records fit" in item.matcher_reason
    assert item.registration["name"].text == "Mohd. Imran"
    assert item.registration["dob"].text.startswith("41 y (")  # an age, with the day it was given
    assert item.registration["relative"].text == "S/o Abdul Rashid"
    first, second = item.candidates
    assert (first.number, first.uhid, second.number, second.uhid) == (1, "AIIMS-000457", 2, "AIIMS-000456")
    assert first.known and second.known  # the MPI fields were kept: no MPI needed to review
    assert first.cells["phone"].text == "9811111111" and first.cells["phone"].outcome == "disagree"
    assert second.cells["phone"].outcome == "agree" and second.cells["name"].outcome == "agree"
    assert second.cells["dob"].text == f"1984-03-15 ({age_between(dt.date(1984, 3, 15), dt.date.today())} y)"
    assert first.cells["address"].outcome == "partial" and "Batla House" in first.cells["address"].notes[0]
    assert second.cells["ids"].text == "UHID AIIMS-000456" and second.cells["ids"].outcome == "missing"
    assert first.suggested and not second.suggested and item.suggested is first
    assert item.history == () and item.source == "matcher"

    new = review.item(review_site.entries["anjali"])  # the matcher called her new: nothing to accept
    assert new.suggested is None and new.candidates[0].uhid == "AIIMS-000789"
    assert new.candidates[0].cells["name"].outcome == "disagree"
    # Another name and another age: the matcher stopped there, and says so instead of "missing".
    assert new.candidates[0].cells["phone"].outcome == "unchecked"


# -- deciding ---------------------------------------------------------------------------------------------

def test_each_decision_is_journaled_with_the_officers_id_and_stored_as_the_officers(review: Review,
                                                                                    review_site: ReviewSite) -> None:
    pooja, imran = review_site.entries["pooja"], review_site.entries["imran"]
    accepted = review.accept(pooja)
    assert (accepted.decision, accepted.uhid, accepted.decided_by) == ("matched", "AIIMS-000790", OFFICER_ID)

    with pytest.raises(DowntimeError, match="write why AIIMS-000457 is not this patient"):
        review.reject(imran, "AIIMS-000457", "  ")
    review.reject(imran, "AIIMS-000457", "different phone and house; the HMIS phone is his brother's")
    after_reject = review.item(imran)
    assert after_reject.decision == "review" and after_reject.candidates[0].rejected
    assert after_reject.suggested is not None and after_reject.suggested.uhid == "AIIMS-000456"
    assert review.queue().progress() == "1 of 2 left"  # a rejection alone does not say who the patient is
    review.pick(imran, "AIIMS-000456")
    assert review.queue().progress() == "0 of 2 left" and review.queue().next_left(None) is None

    assert journal_entries(review.session, "match.decision") == [
        (OFFICER_ID, {"target": review_site.downtime_ids["pooja"], "decision": "matched", "uhid": "AIIMS-000790",
                      "candidate": "AIIMS-000790"}),
        (OFFICER_ID, {"target": review_site.downtime_ids["imran"], "decision": "rejected",
                      "candidate": "AIIMS-000457",
                      "reason": "different phone and house; the HMIS phone is his brother's"}),
        (OFFICER_ID, {"target": review_site.downtime_ids["imran"], "decision": "matched", "uhid": "AIIMS-000456",
                      "candidate": "AIIMS-000456"}),
    ]
    rows = {r[0]: r[1:] for r in review.ws.db.execute(
        "SELECT entry_uuid, decision, uhid, source, decided_by FROM match_decisions")}
    assert rows[pooja] == ("matched", "AIIMS-000790", "officer", OFFICER_ID)
    assert rows[imran] == ("matched", "AIIMS-000456", "officer", OFFICER_ID)
    assert [(h.action, h.candidate) for h in officer_history(review.ws, imran)] == [
        ("reject", "AIIMS-000457"), ("pick", "AIIMS-000456")]
    assert load_decisions(review.ws)[review_site.downtime_ids["imran"]] == ("matched", "AIIMS-000456")


def test_running_the_matcher_again_keeps_the_officers_decisions(review: Review, review_site: ReviewSite) -> None:
    review.mark_new(review_site.entries["pooja"], "twin sister of AIIMS-000790, confirmed by phone")
    mpi = MpiIndex.build(MPI)
    saved = save_decisions(review.ws, match_all(registrations(review.ws), mpi), mpi=mpi)  # reads them again
    assert saved == 3  # every registration but the officer's
    decided = load_decisions(review.ws)
    assert decided[review_site.downtime_ids["pooja"]] == ("new", None)
    assert decided[review_site.downtime_ids["imran"]] == ("review", None)
    item = review.item(review_site.entries["pooja"])
    assert (item.source, item.matcher_decision, len(item.candidates)) == ("officer", "review", 2)
    assert item.registration["name"].text == "Pooja Sharma" and item.candidates[0].known


def test_revisiting_writes_a_new_decision_and_keeps_the_history(review: Review, review_site: ReviewSite) -> None:
    sunita = review_site.entries["sunita"]
    assert review.item(sunita).suggested.uhid == "AIIMS-000123"  # type: ignore[union-attr]  # linked already
    review.mark_new(sunita, "the HMIS record is her mother-in-law's")
    review.accept(sunita, "same ration card number on the old file")  # changed her mind: links the best again
    item = review.item(sunita)
    assert [(h.decision, h.uhid, h.decided_by) for h in item.history] == [
        ("new", None, OFFICER_ID), ("matched", "AIIMS-000123", OFFICER_ID)]
    assert item.candidates[0].chosen and item.decision == "matched"
    assert [p["decision"] for _, p in journal_entries(review.session, "match.decision")] == ["new", "matched"]
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
        review.ws.db.execute("UPDATE officer_decisions SET decision = 'new'")


def test_only_records_or_admin_may_decide_and_mistakes_are_named(review_site: ReviewSite) -> None:
    ws, clerk = review_site.workspace(), login(review_site.office, CLERK_ID, CLERK_PIN)
    try:
        with pytest.raises(PermissionDeniedError, match="W6001 is logged in as ward; deciding matches needs one of: "
                                                        "records, admin"):
            Review(ws, clerk)
    finally:
        clerk.close()
    admin = login(review_site.office, ADMIN_ID, ADMIN_PIN)
    try:
        review = Review(ws, admin)
        with pytest.raises(NotFoundError, match="AIIMS-000999 is not a candidate .*AIIMS-000457, AIIMS-000456"):
            review.pick(review_site.entries["imran"], "AIIMS-000999")
        with pytest.raises(DowntimeError, match="no candidate is suggested for Anjali Verma: pick one"):
            review.accept(review_site.entries["anjali"])
        with pytest.raises(NotFoundError, match="run 'reconcile match' first"):
            review.item("00000000-0000-4000-8000-000000000000")
        assert journal_entries(admin, "match.decision") == []
    finally:
        admin.close()
        ws.close()


# -- conflicts ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("keep", ["held", "new"])
def test_an_import_conflict_is_resolved_journaled_and_released(review: Review, review_site: ReviewSite,
                                                               keep: str) -> None:
    later = send_conflicting_copy(review_site, review.ws, "anjali", {"phone": "9900112244"})
    [conflict] = review.conflicts()
    assert conflict.uuid == review_site.entries["anjali"] and conflict.new.hash == later
    assert (conflict.held.device, conflict.new.device, conflict.status) == ("W7-PC2", "W8-PC1", "open")
    differing = {f.name: (f.held, f.new) for f in conflict.fields if not f.same}
    assert differing == {"device": ("W7-PC2", "W8-PC1"), "seq": (differing["seq"][0], "1"),
                         "phone": ("9900112233", "9900112244")}
    assert not conflict.same_content
    assert next(f for f in conflict.fields if f.name == "phone").label_hi  # the kind's own Hindi label
    held_back = [h.code for h in current_records(review.ws, load_decisions(review.ws)).held
                 if h.record.uuid == review_site.entries["anjali"]]
    assert held_back == ["conflict"]
    assert _open_conflicts(review.ws) == 1

    resolution = review.resolve_conflict(conflict.uuid, later, keep, "the ward confirmed the number")  # type: ignore[arg-type]
    assert resolution.decided_by == OFFICER_ID and resolution.kept.device == ("W7-PC2" if keep == "held" else "W8-PC1")
    assert review.conflicts() == []
    assert [c.status for c in review.conflicts(resolved=True)] == ["set_aside" if keep == "held" else "taken"]
    assert journal_entries(review.session, "conflict.resolve") == [(OFFICER_ID, {
        "entry": conflict.uuid, "keep": keep, "kept_hash": resolution.kept.hash,
        "kept_device": resolution.kept.device, "reason": "the ward confirmed the number"})]
    assert _open_conflicts(review.ws) == 0  # reconcile status no longer lists it
    [sent] = [r for r in registrations(review.ws) if r["entry_uuid"] == review_site.entries["anjali"]]
    assert sent["phone"] == ("9900112233" if keep == "held" else "9900112244")  # the copy kept is the one sent
    with pytest.raises(DowntimeError, match="keep must be 'held'"):
        review.resolve_conflict(conflict.uuid, later, "both")  # type: ignore[arg-type]


def _open_conflicts(ws: Workspace) -> int:
    return sum(d.conflicts_open for d in workspace_status(ws).devices)


# -- the command ----------------------------------------------------------------------------------------------

def test_reconcile_match_keeps_the_candidates_with_their_mpi_fields(review_site: ReviewSite) -> None:
    mpi = review_site.root / "mpi.ndjson"
    write_mpi_ndjson(MPI, mpi)
    out = ok(run("--home", str(review_site.office), "reconcile", "match", "--mpi", str(mpi), **OFFICE))
    assert "1 matched, 1 new, 2 to review" in out, out
    ws = review_site.workspace()
    try:
        (record,) = ws.db.execute("SELECT record FROM match_candidates WHERE uhid = 'AIIMS-000457'").fetchone()
        assert json.loads(record)["address"] == "Batla House, Jamia Nagar"
    finally:
        ws.close()
