"""Patient matching: identifiers, the families that must never be merged, name variants, newborns,
duplicates across PCs, readable evidence, and the goals on a small synthetic set."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from sync.match import MatchDecision, Matcher, dedupe, match_all
from sync.match_eval import evaluate, generate
from sync.mpi import MpiIndex

RECORDED = "2025-03-05T10:30:00"
_entries = itertools.count(1)

# One household: father, mother, their son and twin daughters, a newborn, all on one phone and address.
HOUSEHOLD = {"phone": "9876543210", "address": "H.No. 12, Gali 3, Shiv Nagar, Patna", "pincode": "800001"}
FAMILY = [
    {"uhid": "UH1000001", "name": "Ramesh Kumar Sharma", "sex": "male", "dob": "1962-05-01", "relative": "Suresh Sharma",
         "relation_type": "so", "abha": "91-1234-5678-9012"},
    {"uhid": "UH1000002", "name": "Sunita Devi", "sex": "female", "dob": "1966-08-15", "relative": "Ramesh Kumar Sharma",
         "relation_type": "wo"},
    {"uhid": "UH1000003", "name": "Rahul Sharma", "sex": "male", "dob": "1990-02-11", "relative": "Ramesh Kumar Sharma",
         "relation_type": "so"},
    {"uhid": "UH1000004", "name": "Pooja Sharma", "sex": "female", "dob": "1995-07-20", "relative": "Ramesh Kumar Sharma",
         "relation_type": "do"},
    {"uhid": "UH1000005", "name": "Lakshmi Sharma", "sex": "female", "dob": "1992-11-30", "relative": "Rahul Sharma",
         "relation_type": "wo"},
    {"uhid": "UH1000006", "name": "B/O Lakshmi Sharma", "sex": "male", "dob": "2025-02-20", "relative": "Lakshmi Sharma",
         "relation_type": "bo"},
]
# Unrelated people, some with the same common names, to give the index realistic name statistics.
OTHERS = [
    {"uhid": "UH2000001", "name": "Mohd Salim", "sex": "male", "dob": "1975-01-10", "phone": "9811111111",
         "address": "45, Jafrabad", "pincode": "110053", "relative": "Mohd Yusuf", "relation_type": "so"},
    {"uhid": "UH2000002", "name": "Mohd Salim Khan", "sex": "male", "dob": "1988-04-04", "phone": "9822222222",
         "address": "7, Zakir Nagar", "pincode": "110025"},
    {"uhid": "UH2000003", "name": "Suneeta Kumari", "sex": "female", "dob": "1985-03-03", "phone": "9833333333",
         "address": "9, Ram Nagar", "pincode": "800002", "relative": "Rajesh Yadav", "relation_type": "wo"},
    {"uhid": "UH2000004", "name": "Ram Kumar", "sex": "male", "dob": "1970-06-06", "phone": "9844444444",
         "address": "3, Laxmi Nagar", "pincode": "110092"},
    {"uhid": "UH2000005", "name": "Ram Kumar", "sex": "male", "dob": "1981-09-09", "phone": "9855555555",
         "address": "88, Sector 4, Rohini", "pincode": "110085"},
    {"uhid": "UH2000006", "name": "Rakesh Yadav", "sex": "male", "dob": "1983-02-02", "phone": "9866666666",
         "address": "5, Ram Nagar", "pincode": "800002", "relative": "Rajesh Yadav", "relation_type": "so"},
    {"uhid": "UH2000007", "name": "Rajesh Verma", "sex": "male", "dob": "1959-10-10", "phone": "9877777777",
         "address": "1, Civil Lines", "pincode": "800003", "relative": "Rakesh Verma", "relation_type": "so"},
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    rows = [{**HOUSEHOLD, **person} for person in FAMILY] + OTHERS
    return Matcher(MpiIndex.build(rows))


def registration(**fields: Any) -> dict[str, Any]:
    number = next(_entries)
    return {"entry_uuid": f"e-{number}", "downtime_id": f"DT-001-{number:05d}", "recorded_at": RECORDED, **fields}


def texts(decision: MatchDecision) -> str:
    return "\n".join(e.text for e in decision.evidence)


# -- identifiers -----------------------------------------------------------------------------------------------

def test_typed_uhid_verified_against_the_mpi_links(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="Rahul Sharma", sex="male", age_years=35, uhid="uh1000003"))
    assert (decision.decision, decision.uhid, decision.score) == ("matched", "UH1000003", 1.0)
    assert "UHID uh1000003 typed and verified" in decision.reason


def test_typed_abha_links(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="R K Sharma", sex="male", age_years=62, abha="91 1234 5678 9012"))
    assert (decision.decision, decision.uhid) == ("matched", "UH1000001")


def test_typed_uhid_of_another_patient_goes_to_review_with_the_reason(matcher: Matcher) -> None:
    # The father's UHID typed on the son's registration (a digit slip, or the wrong card).
    decision = matcher.match(registration(name="Rahul Sharma", sex="male", age_years=35, uhid="UH1000001"))
    assert decision.decision == "review" and decision.uhid is None
    assert "UHID UH1000001 typed, but the MPI record disagrees" in decision.reason
    assert "given name differs" in decision.reason and "dob/age does not agree" in decision.reason


def test_typed_uhid_not_in_the_mpi_is_noted_and_matching_goes_on(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="Rahul Sharma", sex="male", dob="1990-02-11", uhid="UH9999999",
                                          **HOUSEHOLD))
    assert (decision.decision, decision.uhid) == ("matched", "UH1000003")
    assert "UHID UH9999999 was typed but is not in the MPI" in texts(decision)


# -- families ----------------------------------------------------------------------------------------------------

def test_new_son_is_never_linked_to_his_father(matcher: Matcher) -> None:
    # Same surname, phone, address, PIN code and "S/o <father>" text as his brother; only the person differs.
    decision = matcher.match(registration(name="Amit Sharma", sex="male", age_years=28,
                                          relative="S/o Ramesh Kumar Sharma", **HOUSEHOLD))
    assert decision.decision == "new"
    assert all(c.uhid != decision.uhid for c in decision.candidates)


def test_son_named_as_relative_of_registration_is_not_the_patient(matcher: Matcher) -> None:
    # "R. Sharma S/o Ramesh Kumar Sharma": the initial fits the father too, but he is the relative.
    decision = matcher.match(registration(name="R. Sharma", sex="male", age_years=62,
                                          relative="S/o Ramesh Kumar Sharma", **HOUSEHOLD))
    assert decision.decision != "matched" or decision.uhid != "UH1000001"


def test_new_twin_is_never_linked_to_the_other_twin(matcher: Matcher) -> None:
    # Pooja's twin sister: same dob, phone, address, father. Only her given name tells them apart.
    decision = matcher.match(registration(name="Priya Sharma", sex="female", dob="1995-07-20",
                                          relative="D/o Ramesh Kumar Sharma", **HOUSEHOLD))
    assert decision.decision != "matched"  # new, or a review that says why
    assert "given name differs" in decision.candidates[0].blockers


def test_twin_with_a_name_one_letter_away_goes_to_review(matcher: Matcher) -> None:
    rows = [{**HOUSEHOLD, **person} for person in FAMILY] + OTHERS + [
        {"uhid": f"UH300000{i}", "name": name, "sex": "male", "dob": f"19{70 + i}-01-01", "phone": f"97000000{i:02d}"}
        for i, name in enumerate(("Rajesh Gupta", "Rakesh Verma", "Rajesh Singh", "Rakesh Rao"))]
    twins = Matcher(MpiIndex.build(rows + [{**HOUSEHOLD, "uhid": "UH1000009", "name": "Rajesh Sharma",
                                            "sex": "male", "dob": "1993-03-03"}]))
    decision = twins.match(registration(name="Rakesh Sharma", sex="male", dob="1993-03-03", **HOUSEHOLD))
    assert decision.decision == "review"  # twins Rajesh and Rakesh, or a typo: a person must look


def test_wife_with_another_husband_is_not_linked(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="Suneeta", sex="female", age_years=40, relative="W/o Rakesh Yadav",
                                          pincode="800002"))
    assert decision.decision != "matched"
    assert "relative: W/o Rakesh Yadav ≠ W/o Rajesh Yadav" in "\n".join(
        e.text for c in decision.candidates for e in c.evidence)


# -- name variants -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", [
    "Suneeta Kumari", "SUNITA KUMARI", "Smt. Sunita", "Sunita Devi", "Kumari Suneeta",
])
def test_spelling_variants_are_linked(matcher: Matcher, written: str) -> None:
    decision = matcher.match(registration(name=written, sex="female", age_years=39, phone="9833333333",
                                          pincode="800002"))
    assert (decision.decision, decision.uhid) == ("matched", "UH2000003"), decision.reason


@pytest.mark.parametrize("written", ["Mohammed Salim", "Md. Saleem", "MOHAMAD SALEEM", "Salim"])
def test_mohd_variants_are_linked(matcher: Matcher, written: str) -> None:
    decision = matcher.match(registration(name=written, sex="male", dob="1975-01-10", phone="9811111111"))
    assert (decision.decision, decision.uhid) == ("matched", "UH2000001"), decision.reason


@pytest.mark.parametrize("written", ["Laxmi Sharma", "Lakshmee Sharma", "Sharma Lakshmi", "Smt. Laxmi"])
def test_laxmi_lakshmi_and_swapped_names_are_linked(matcher: Matcher, written: str) -> None:
    decision = matcher.match(registration(name=written, sex="female", age_years=32, **HOUSEHOLD))
    assert (decision.decision, decision.uhid) == ("matched", "UH1000005"), decision.reason


def test_initials_with_exact_dob_in_the_household_are_linked(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="R. K. Sharma", sex="male", dob="1962-05-01", **HOUSEHOLD))
    assert (decision.decision, decision.uhid) == ("matched", "UH1000001"), decision.reason


def test_common_name_without_household_evidence_is_not_linked(matcher: Matcher) -> None:
    # Two "Ram Kumar"s in the MPI; a third one, with only a name and an age, must not be guessed.
    decision = matcher.match(registration(name="Ram Kumar", sex="male", age_years=44))
    assert decision.decision != "matched"


# -- newborns ----------------------------------------------------------------------------------------------------

def test_newborn_is_never_linked_to_the_mother(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="B/O Sunita Devi", sex="female", dob="2025-03-04",
                                          relative="Sunita Devi", **HOUSEHOLD))
    assert decision.decision == "new"
    assert all(c.uhid != "UH1000002" for c in decision.candidates if c.score > 0)


def test_known_newborn_is_linked_by_its_mother_name_and_exact_dob(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="Baby of Laxmi Sharma", sex="male", dob="2025-02-20", **HOUSEHOLD))
    assert (decision.decision, decision.uhid) == ("matched", "UH1000006"), decision.reason


def test_newborn_born_during_the_outage_is_new_not_its_sibling(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="B/O Lakshmi Sharma", sex="female", dob="2025-03-04", **HOUSEHOLD))
    assert decision.decision != "matched"


# -- duplicates across PCs -----------------------------------------------------------------------------------------

def test_dedupe_groups_one_new_patient_registered_on_two_pcs() -> None:
    first = registration(name="Gurpreet Kaur", sex="female", age_years=41, phone="9700012345",
                         address="22, Model Town", pincode="141002", relative="W/o Harjeet Singh")
    again = registration(name="GURPREET KAUR", sex="female", age_years=42, phone="+91 97000 12345",
                         pincode="141002", relative="W/o Harjit Singh", recorded_at="2025-03-07T09:00:00")
    sister = registration(name="Manpreet Kaur", sex="female", age_years=38, phone="9700012345",
                          address="22, Model Town", pincode="141002", relative="W/o Harjeet Singh")
    clusters = dedupe([first, again, sister])
    matched = [c for c in clusters if c.decision == "matched"]
    assert [sorted(c.entries) for c in matched] == [sorted([first["entry_uuid"], again["entry_uuid"]])]
    assert matched[0].links[0].evidence


def test_match_all_marks_duplicates_and_reviews_conflicting_decisions(matcher: Matcher) -> None:
    known = registration(name="Rahul Sharma", sex="male", dob="1990-02-11", **HOUSEHOLD)
    again = registration(name="Rahul Sharma", sex="male", dob="1990-02-11", phone=HOUSEHOLD["phone"])
    new_a = registration(name="Harjeet Singh Gill", sex="male", dob="1979-12-01", phone="9700099999")
    new_b = registration(name="Harjit Singh", sex="male", dob="1979-12-01", phone="09700099999")
    decisions = {d.entry_uuid: d for d in match_all([known, again, new_a, new_b], matcher)}
    assert decisions[known["entry_uuid"]].same_as == [again["entry_uuid"]]
    assert decisions[new_a["entry_uuid"]].same_as == [new_b["entry_uuid"]]
    assert {decisions[e["entry_uuid"]].decision for e in (new_a, new_b)} == {"new"}


# -- evidence ----------------------------------------------------------------------------------------------------

def test_evidence_reads_like_a_records_officer_would_write_it(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="Suneeta Kumari", sex="female", age_years=39, phone="9833333333",
                                          relative="W/o Rajesh Yadav"))
    text = texts(decision)
    assert "name: 'Suneeta Kumari' = 'Suneeta Kumari' (given name same)" in text
    assert "age 39 vs dob 1985-03-03 → 40 (within 2 y)" in text
    assert "phone same (household field)" in text
    assert "relative: W/o Rajesh Yadav" in text
    assert all(e.outcome in ("agree", "disagree", "missing", "partial") for e in decision.evidence)
    assert decision.candidates and decision.candidates[0].evidence


def test_sound_alike_spelling_is_named_in_the_evidence(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="Sunitha Kumari", sex="female", age_years=39, phone="9833333333"))
    assert decision.decision == "matched"
    assert "Sunitha / Suneeta: sound-alike" in texts(decision)


def test_candidates_are_listed_best_first_for_the_review_queue(matcher: Matcher) -> None:
    decision = matcher.match(registration(name="Ram Kumar", sex="male", age_years=44))
    scores = [c.score for c in decision.candidates]
    assert 1 <= len(scores) <= 3 and scores == sorted(scores, reverse=True)


def test_matching_is_repeatable(matcher: Matcher) -> None:
    reg = registration(name="Laxmi Sharma", sex="female", age_years=32, **HOUSEHOLD)
    assert matcher.match(reg) == matcher.match(reg)


# -- the goals on a small synthetic set ---------------------------------------------------------------------------

def test_small_synthetic_set_meets_the_goals() -> None:
    eval_set = generate(seed=13, mpi_size=3000, registrations=400)
    assert len(eval_set.mpi) >= 3000 and len(eval_set.registrations) == 400
    figures = evaluate(match_all(eval_set.registrations, MpiIndex.build(eval_set.mpi)), eval_set.truth)
    assert figures.wrong_links_pct <= 0.1, figures.wrong_by_kind
    assert figures.recall_pct >= 95.0
    assert figures.review_pct <= 10.0
    assert figures.duplicate_pairs_wrong == 0


def test_synthetic_set_is_seeded_and_hard() -> None:
    first, second = generate(seed=5, mpi_size=1500, registrations=200), generate(seed=5, mpi_size=1500,
                                                                                  registrations=200)
    assert first.registrations == second.registrations and first.mpi == second.mpi
    kinds = first.kinds()
    assert kinds["new-relative"] > kinds["new-unrelated"]  # most new patients are relatives of MPI patients
    assert any(t.kind == "new-relative:twin" for t in first.truth.values())
    assert any(str(r["name"]).lower().startswith(("b/o", "baby of", "b.o.")) for r in first.registrations)
    assert len({t.person for t in first.truth.values()}) < len(first.truth)  # duplicates across PCs
