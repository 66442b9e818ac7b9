"""Match downtime registrations to the HMIS master patient index (MPI), and to each other.

A wrong link merges two patients' records: one patient's allergies, blood group and results show on the
other's chart. Sending a pair to a records officer costs a minute. So every rule here prefers ``review``
to a guess, and the figures that matter are wrong links (goal <= 0.1 % of registrations) before recall.

How a registration is decided:

1. **Identifiers first.** A UHID or ABHA typed during the outage and found in the MPI links the registration,
   unless the MPI record contradicts it (another sex, another given name, another age): then review.
2. **Blocking.** The MPI's blocking keys (``sync/mpi.py``) give a few dozen candidate records.
3. **Field comparisons** (``sync/compare.py``) give each candidate per-field evidence with a weight in bits.
   Household fields (phone, surname, address, PIN code, relative) are capped together: a shared household
   is not the same person.
4. **The person must agree.** A link also needs the given name and the dob/age to agree, the sex not to
   differ, and no sign that the record is a relative (the registration names it as its father, a newborn
   "B/O Sunita" against Sunita herself, another twin). Whatever fails these goes to review or is new.
5. **One clear winner.** The candidates share the probability (``posteriors``): if a second one is also
   plausible, the best is not sure enough to link, and it is a review.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sync.compare import Comparison, Context, Evidence, Outcome, compare
from sync.mpi import DEFAULT_CANDIDATES, BlockIndex, MpiIndex, NameStats
from sync.person import Person, person_from

__all__ = ["Candidate", "DuplicateCluster", "DuplicateLink", "Evidence", "MatchDecision", "Matcher", "Outcome",
           "dedupe", "match_all", "posteriors"]

Decision = Literal["matched", "new", "review"]

LINK_PROBABILITY = 0.90      # a candidate at or above this, with nothing blocking it, may be linked
# ... unless only name, age and PIN code agree: the weights take them as independent, but names, surnames
# and PIN codes go together by region, and a big MPI holds namesakes of the same age in the same PIN code.
UNANCHORED_LINK_PROBABILITY = 0.97
REVIEW_PROBABILITY = 0.2     # below this the best candidate is not worth a records officer's minute
RIVAL_PROBABILITY = 0.05     # a second candidate at or above this is named in the review reason
TOP_CANDIDATES = 3           # candidates shown in the review queue
FIRST_CANDIDATES = 8         # best-blocked records compared first; the rest only if these do not settle it


@dataclass(frozen=True)
class Candidate:
    uhid: str
    score: float                # probability that this record is the registration's patient
    evidence: list[Evidence]
    blockers: list[str] = field(default_factory=list)  # why this record cannot be linked automatically


@dataclass
class MatchDecision:
    """What to do with one registration: link it to ``uhid`` (matched), give it a new UHID, or review."""

    entry_uuid: str
    downtime_id: str | None
    decision: Decision
    uhid: str | None            # set only when matched
    score: float                # the best candidate's probability (1.0 for a verified identifier)
    evidence: list[Evidence]    # for the best candidate (empty if there is none)
    candidates: list[Candidate]  # the top candidates, best first, for the review queue
    reason: str
    same_as: list[str] = field(default_factory=list)  # entry UUIDs of registrations of the same patient
    maybe_same_as: list[str] = field(default_factory=list)  # registrations that may be the same patient


@dataclass(frozen=True)
class DuplicateLink:
    a: str                      # entry UUIDs
    b: str
    score: float
    evidence: list[Evidence]


@dataclass
class DuplicateCluster:
    """Registrations of one patient made on different wards or PCs (``matched``), or possibly so (``review``)."""

    entries: list[str]
    decision: Literal["matched", "review"]
    score: float                # the weakest link's probability
    links: list[DuplicateLink]


# -- deciding ---------------------------------------------------------------------------------------------------------

class Matcher:
    """Decides registrations against one MPI index. Pure: reads the index, writes nothing."""

    def __init__(self, mpi: MpiIndex, candidates: int = DEFAULT_CANDIDATES):
        self.mpi = mpi
        self.ctx = Context.for_stats(mpi.stats)
        self.candidate_limit = candidates

    def match(self, registration: Mapping[str, Any]) -> MatchDecision:
        reg = registration_person(registration)
        by_identifier, notes = self._identifier_decision(reg, registration)
        if by_identifier is not None and by_identifier.decision == "matched":  # verified: nothing else to weigh
            return by_identifier
        rids = self.mpi.candidates(reg, self.candidate_limit)
        # Most registrations are decided by the few best-blocked records; the rest are compared only when
        # those do not settle it (a link from the first few is as safe: lower-ranked records share fewer keys).
        compared = [self._compare(reg, rid) for rid in rids[:FIRST_CANDIDATES]]
        decision = _decide(registration, compared)
        if decision.decision != "matched" and len(rids) > FIRST_CANDIDATES:
            compared += [self._compare(reg, rid) for rid in rids[FIRST_CANDIDATES:]]
            decision = _decide(registration, compared)
        decision.evidence = notes + decision.evidence
        if by_identifier is not None:
            return _with_identifier_doubt(by_identifier, decision)
        return decision

    def _compare(self, reg: Person, rid: int) -> tuple[str, Comparison]:
        record = self.mpi.person(rid)
        return record.ref, compare(reg, record, self.ctx)

    def _identifier_decision(self, reg: Person, registration: Mapping[str, Any]
                             ) -> tuple[MatchDecision | None, list[Evidence]]:
        """A typed UHID/ABHA found in the MPI: matched unless the record contradicts the registration.

        A typed UHID that is not in the MPI is only noted: the probabilistic match decides.
        """
        found: dict[int, str] = {}
        notes: list[Evidence] = []
        if reg.uhid:
            rid = self.mpi.find_uhid(reg.uhid)
            if rid is None:
                notes.append(Evidence("uhid", "disagree", 0.0, f"UHID {reg.uhid} was typed but is not in the MPI"))
            else:
                found[rid] = f"UHID {reg.uhid}"
        for rid in self.mpi.find_abha(reg.abha):
            found[rid] = (found[rid] + " and ABHA") if rid in found else "ABHA"
        if not found:
            return None, notes
        entry, downtime_id = _ids(registration)
        if len(found) > 1:
            return MatchDecision(entry, downtime_id, "review", None, 0.0, notes, [],
                                 "the typed UHID and ABHA belong to different MPI records"), notes
        rid, how = next(iter(found.items()))
        rec = self.mpi.person(rid)
        comparison = compare(reg, rec, self.ctx)
        typed = Evidence("uhid" if how.startswith("UHID") else "abha", "agree", 0.0,
                         f"{how} typed and found in the MPI")
        contradictions = [b for b in comparison.blockers if b in _CONTRADICTIONS or b.startswith("'")]
        evidence = [typed, *comparison.evidence]
        if contradictions:
            candidate = Candidate(rec.ref, round(comparison.score, 4), evidence, comparison.blockers)
            return MatchDecision(entry, downtime_id, "review", None, candidate.score, evidence, [candidate],
                                 f"{how} typed, but the MPI record disagrees: {', '.join(contradictions)}"), notes
        candidate = Candidate(rec.ref, 1.0, evidence, comparison.blockers)
        return MatchDecision(entry, downtime_id, "matched", rec.ref, 1.0, evidence, [candidate],
                             f"{how} typed and verified against the MPI record"), notes


# Blockers that contradict a typed identifier; the rest (an initial, an age only) are normal for one person.
_CONTRADICTIONS = frozenset({"given name differs", "dob/age does not agree", "sex differs"})


def posteriors(bits: Sequence[float]) -> list[float]:
    """Each candidate's probability of being the patient, when at most one of them is (or none: odds 1).

    Pairwise odds alone would call two similar records both "certain"; sharing the probability among
    the candidates makes a twin or a namesake in the same PIN code lower the best one's score.
    """
    if not bits:
        return []
    top = max(0.0, max(bits))
    scaled = [2.0 ** (b - top) for b in bits]
    total = 2.0 ** -top + sum(scaled)
    return [x / total for x in scaled]


def _decide(registration: Mapping[str, Any], compared: list[tuple[str, Comparison]]) -> MatchDecision:
    entry, downtime_id = _ids(registration)
    shares = posteriors([c.bits for _, c in compared])
    scored = sorted(((Candidate(uhid, round(share, 4), c.evidence, c.blockers), c)
                     for (uhid, c), share in zip(compared, shares)),
                    key=lambda item: (not item[1].vetoed, item[0].score), reverse=True)
    top = [candidate for candidate, _ in scored[:TOP_CANDIDATES]]
    if not scored or scored[0][1].vetoed:
        reason = "no MPI record resembles this patient" if not scored else "only relatives of this patient were found"
        return MatchDecision(entry, downtime_id, "new", None, 0.0, [], top, reason)
    best, comparison = scored[0]
    threshold = LINK_PROBABILITY if comparison.anchored else UNANCHORED_LINK_PROBABILITY
    if best.score >= threshold and not comparison.blockers:
        return MatchDecision(entry, downtime_id, "matched", best.uhid, best.score, best.evidence, top,
                             "name, age and household agree with one MPI record")
    if best.score < REVIEW_PROBABILITY:
        return MatchDecision(entry, downtime_id, "new", None, best.score, best.evidence, top,
                             f"best candidate {best.uhid} scores {best.score:.2f}: another person")
    rivals = [c for c, comp in scored[1:] if not comp.vetoed and c.score >= RIVAL_PROBABILITY]
    if comparison.blockers:
        reason = f"best candidate {best.uhid}: {'; '.join(comparison.blockers)}"
    elif rivals:
        reason = f"{len(rivals) + 1} MPI records fit: " + ", ".join(c.uhid for c in [best, *rivals][:3])
    else:
        reason = f"best candidate {best.uhid} scores {best.score:.2f}, too low to link"
    return MatchDecision(entry, downtime_id, "review", None, best.score, best.evidence, top, reason)


def _with_identifier_doubt(by_identifier: MatchDecision, decision: MatchDecision) -> MatchDecision:
    """A typed identifier that contradicts its MPI record: review, with the other candidates listed too."""
    reason = by_identifier.reason
    if decision.decision == "matched":
        reason += f"; the other fields point to {decision.uhid}"
    known = {c.uhid for c in by_identifier.candidates}
    candidates = by_identifier.candidates + [c for c in decision.candidates if c.uhid not in known]
    return MatchDecision(decision.entry_uuid, decision.downtime_id, "review", None,
                         max(by_identifier.score, decision.score), by_identifier.evidence,
                         candidates[:TOP_CANDIDATES], reason)


def _ids(registration: Mapping[str, Any]) -> tuple[str, str | None]:
    entry = str(registration.get("entry_uuid") or registration.get("downtime_id") or "")
    return entry, registration.get("downtime_id")


def registration_person(registration: Mapping[str, Any]) -> Person:
    """A registration as a ``Person``, referred to by its entry UUID."""
    return person_from(registration, ref_field="entry_uuid")


# -- batches and duplicates ----------------------------------------------------------------------------------------------

def match_all(registrations: Iterable[Mapping[str, Any]], mpi: MpiIndex | Matcher,
              workers: int = 1) -> list[MatchDecision]:
    """Decide every registration, then reconcile registrations of one patient made on several PCs.

    Registrations found to be one patient are marked ``same_as`` each other; registrations that may be
    one patient, ``maybe_same_as``. If they were decided differently (one matched, one new, or two UHIDs)
    they go to review: one patient gets one record.

    ``workers`` > 1 matches in that many forked processes that share the index (POSIX only; a process
    that runs Qt or other threads should keep the default of 1).
    """
    matcher = mpi if isinstance(mpi, Matcher) else Matcher(mpi)
    registrations = list(registrations)
    decisions = _match_each(matcher, registrations, workers)
    by_entry = {d.entry_uuid: d for d in decisions}
    for cluster in dedupe(registrations, matcher.mpi.stats):
        members = [by_entry[e] for e in cluster.entries if e in by_entry]
        for member in members:
            others = [e for e in cluster.entries if e != member.entry_uuid]
            if cluster.decision == "matched":
                member.same_as = others
            else:
                member.maybe_same_as += others
        if cluster.decision == "matched":
            _reconcile(members)
    return decisions


_FORKED: Matcher | None = None  # the matcher a forked worker inherits (the index is not pickled)
_PARALLEL_FROM = 2000           # fewer registrations are matched faster than workers start


def _match_each(matcher: Matcher, registrations: list[Mapping[str, Any]], workers: int) -> list[MatchDecision]:
    global _FORKED
    if workers <= 1 or len(registrations) < _PARALLEL_FROM or "fork" not in mp.get_all_start_methods():
        return [matcher.match(r) for r in registrations]
    _FORKED = matcher
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            return pool.map(_match_in_worker, registrations, chunksize=200)
    finally:
        _FORKED = None


def _match_in_worker(registration: Mapping[str, Any]) -> MatchDecision:
    assert _FORKED is not None
    return _FORKED.match(registration)


def _reconcile(members: list[MatchDecision]) -> None:
    """One patient, one outcome. Members linked to a single UHID keep the link and the others go to review
    pointing at it; links to two different UHIDs all go to review."""
    outcomes = {(d.decision, d.uhid) for d in members}
    if len(outcomes) <= 1:
        return
    uhids = {d.uhid for d in members if d.decision == "matched"}
    shown = ", ".join(f"{d.downtime_id or d.entry_uuid}: {d.decision}{' ' + d.uhid if d.uhid else ''}"
                      for d in members)
    for member in members:
        if member.decision == "matched" and len(uhids) == 1:
            continue
        member.reason = f"registered on several PCs and decided differently ({shown})"
        member.decision, member.uhid = "review", None


def dedupe(registrations: Iterable[Mapping[str, Any]], stats: NameStats | None = None) -> list[DuplicateCluster]:
    """Group registrations of one patient (the same new patient registered on two wards).

    ``stats`` are the name frequencies to weigh agreements by (the MPI's, if there is one). Pairs that would
    be linked form ``matched`` clusters (connected components); weaker pairs become ``review`` clusters of two.
    """
    people = [registration_person(r) for r in registrations]
    if stats is None:
        stats = NameStats()
        for person in people:
            stats.add(person)
    ctx = Context.for_stats(stats)
    blocks = BlockIndex()
    for i, person in enumerate(people):
        blocks.add(i, person)
    parent = list(range(len(people)))
    strong: list[tuple[int, int, DuplicateLink]] = []
    weak: list[DuplicateLink] = []
    for i, person in enumerate(people):
        for j in blocks.candidates(person):
            if j <= i:
                continue  # each pair once
            found = _duplicate_link(person, people[j], ctx)
            if found is None:
                continue
            link, linked = found
            if linked:
                strong.append((i, j, link))
                _union(parent, i, j)
            else:
                weak.append(link)
    return _clusters(people, parent, strong, weak)


def _duplicate_link(a: Person, b: Person, ctx: Context) -> tuple[DuplicateLink, bool] | None:
    """The pair's link and whether it is strong enough to merge, or None if they are not alike."""
    # The record role goes to the fuller name, so the alignment reads "R. K. Sharma" against "Ramesh Kumar Sharma".
    reg, rec = (a, b) if len(a.parts.full) <= len(b.parts.full) else (b, a)
    comparison = compare(reg, rec, ctx)
    if comparison.vetoed or comparison.score < REVIEW_PROBABILITY:
        return None
    link = DuplicateLink(a.ref, b.ref, round(comparison.score, 4), comparison.evidence)
    # Two downtime registrations have no HMIS history behind them: besides name and age, they must share
    # something only this patient has (phone, house, exact dob, ABHA) to be merged without review.
    return link, comparison.score >= LINK_PROBABILITY and not comparison.blockers and comparison.anchored


def _union(parent: list[int], i: int, j: int) -> None:
    root_i, root_j = _find(parent, i), _find(parent, j)
    if root_i != root_j:
        parent[max(root_i, root_j)] = min(root_i, root_j)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _clusters(people: list[Person], parent: list[int], strong: list[tuple[int, int, DuplicateLink]],
              weak: list[DuplicateLink]) -> list[DuplicateCluster]:
    groups: dict[int, list[int]] = {}
    for i in range(len(people)):
        groups.setdefault(_find(parent, i), []).append(i)
    links: dict[int, list[DuplicateLink]] = {}
    for i, _, link in strong:
        links.setdefault(_find(parent, i), []).append(link)
    clusters = [DuplicateCluster([people[i].ref for i in members], "matched",
                                 min(link.score for link in links[root]), links[root])
                for root, members in groups.items() if len(members) > 1]
    ref_root = {people[i].ref: _find(parent, i) for i in range(len(people))}
    for link in weak:
        if ref_root[link.a] != ref_root[link.b]:
            clusters.append(DuplicateCluster([link.a, link.b], "review", link.score, [link]))
    return clusters
