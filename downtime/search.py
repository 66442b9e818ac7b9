"""Find a patient in the snapshot and in this PC's downtime registrations, as the user types.

Two kinds of query:

* an identifier (UHID, downtime ID, ABHA number in any grouping, phone with or without +91/0),
  answered by exact index lookups;
* a name, answered by the FTS5 index as a multi-word prefix search. The FTS query is *unranked*
  with a LIMIT, which stays under a few milliseconds on a million rows, where a ranked (bm25)
  query must score every match first (see DESIGN.md, "Search speed"). The few candidates it
  returns are then ranked here, in Python.

Whatever the user types is folded by ``names.query_tokens`` into plain word tokens, and each token
reaches SQLite only inside a quoted FTS5 string, so FTS5 syntax (quotes, ``*``, ``NEAR(``, ``AND``,
column filters) in the input is just text.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils
from rapidfuzz import fuzz

from downtime.ids import looks_like_id
from downtime.names import clean_text, normalize_name, phonetic_key, query_tokens
from downtime.patient_index import (
    age_text,
    format_abha,
    has_table,
    normalize_abha,
    normalize_phone,
    query_dicts,
    relation_text,
)

log = logging.getLogger(__name__)

MAX_QUERY_TOKENS = 6            # nobody types more name words; more only makes the FTS query slower
_CANDIDATES_PER_RESULT = 2      # FTS candidates fetched per result wanted, to rank among
_MIN_CANDIDATES = 40
_EXACT_BEFORE_PREFIX = 4        # earlier words this long are usually complete: try them as whole words first

_HIT_COLUMNS = ("rid", "id", "uhid", "downtime_id", "name", "sex", "dob", "age_years", "phone", "abha",
                "relative", "relation_type", "ward", "bed", "source", "name_norm", "name_phonetic")
_SELECT = ", ".join(f"p.{c}" for c in _HIT_COLUMNS)
_ID_SEPARATORS = re.compile(r"[\s./_:-]+")
_LETTERS = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class PatientHit:
    """One search result, with what a ward needs to be sure it is the right patient."""

    id: str                       # the key in its database: UHID (snapshot) or downtime ID
    uhid: str | None
    downtime_id: str | None
    name: str
    sex: str | None
    age: str | None               # "45 y", "7 m", "3 d"
    dob: str | None
    ward: str | None              # set only while admitted
    bed: str | None
    relation: str | None          # "W/o Ramesh Kumar", "B/O Sunita"
    source: str                   # "snapshot" or "downtime"
    phone: str | None = None
    abha: str | None = None       # NN-NNNN-NNNN-NNNN
    matched_on: str = "name"      # uhid, downtime_id, abha, phone, name or sound-alike
    score: float = 0.0

    @property
    def identifiers(self) -> tuple[str, ...]:
        """The patient's hospital identifiers, UHID first: every printed page carries one."""
        return tuple(i for i in (self.uhid, self.downtime_id) if i)

    @property
    def age_sex(self) -> str:
        sex = {"male": "M", "female": "F", "other": "O"}.get(self.sex or "", "?")
        return f"{self.age or '?'} / {sex}"


def search(dbs: Sequence[sqlite_utils.Database], query: str, *, limit: int = 20,
           sound_alike: bool = False) -> list[PatientHit]:
    """Patients matching ``query`` in ``dbs`` (snapshot and journal): identifier matches first.

    Never raises on odd input; an empty or meaningless query gives an empty list.
    """
    if limit <= 0:
        return []
    text = clean_text(query if isinstance(query, str) else "")
    if not text.strip():
        return []
    hits = _identifier_hits(dbs, text)
    if len(hits) < limit and _LETTERS.search(text) and not (hits and any(ch.isdigit() for ch in text)):
        hits += _name_hits(dbs, text, limit=limit, sound_alike=sound_alike)
    return _with_placements(dbs, _unique(hits)[:limit])


# -- identifiers ----------------------------------------------------------------------------------

def _identifier_hits(dbs: Sequence[sqlite_utils.Database], text: str) -> list[PatientHit]:
    hits: list[PatientHit] = []
    keys = _id_keys(text)
    for db in dbs:
        for key in keys:
            for row in _rows(db, f"SELECT {_SELECT} FROM patients p WHERE p.id = ? OR p.uhid = ? OR "
                                 "p.downtime_id = ?", [key, key, key]):
                hits.append(_hit(row, "downtime_id" if (row["downtime_id"] or "").upper() == key else "uhid"))
    if _LETTERS.search(text):
        return hits
    abha = normalize_abha(text)
    phone = normalize_phone(text)
    for db in dbs:
        if abha:
            hits += [_hit(r, "abha") for r in _rows(db, f"SELECT {_SELECT} FROM patients p WHERE p.abha = ?",
                                                    [abha])]
        if phone and len(phone) == 10:
            hits += [_hit(r, "phone") for r in _rows(db, f"SELECT {_SELECT} FROM patients p WHERE p.phone = ? "
                                                     "LIMIT 50", [phone])]
    return hits


def _id_keys(text: str) -> list[str]:
    """Ways an identifier may have been typed: as is, without separators, with hyphens."""
    stripped = text.strip().upper()
    if len(stripped) > 40 or not any(ch.isdigit() for ch in stripped):
        return []  # every UHID and downtime ID has digits; this keeps names out of the ID lookups
    compact = _ID_SEPARATORS.sub("", stripped)
    keys = [stripped, compact, _ID_SEPARATORS.sub("-", stripped)]
    if len(compact) >= 10 and compact[-9:].isdigit():
        # A downtime ID typed without (or with odd) separators: SITE + block(3) + serial(5) + check(1).
        shaped = f"{compact[:-9]}-{compact[-9:-6]}-{compact[-6:-1]}-{compact[-1]}"
        if looks_like_id(shaped):
            keys.append(shaped)
    return list(dict.fromkeys(k for k in keys if k))


# -- names ----------------------------------------------------------------------------------------

def _name_hits(dbs: Sequence[sqlite_utils.Database], text: str, *, limit: int,
               sound_alike: bool) -> list[PatientHit]:
    tokens = query_tokens(text)[:MAX_QUERY_TOKENS]
    if not tokens:
        return []
    written = normalize_name(text).tokens[:MAX_QUERY_TOKENS]  # with Kumar/Devi/Kaur, for ranking only
    wanted = max(limit * _CANDIDATES_PER_RESULT, _MIN_CANDIDATES)
    phonetic = [phonetic_key(t) for t in tokens] if sound_alike else []
    scored = [(_score(tokens, written, phonetic, row), row, how)
              for db in dbs for row, how in _candidates(db, tokens, phonetic, wanted)]
    # Equal scores (two spellings that fold alike, "Sunita" and "Suneeta") go to the spelling typed.
    typed = text.casefold()
    scored.sort(key=lambda item: (-item[0], -fuzz.ratio(typed, (item[1]["name"] or "").casefold()),
                                  (item[1]["name"] or "").casefold(), item[1]["id"]))
    # Results are built only for what is shown: a keystroke must stay within a few milliseconds.
    return [_hit(row, how, score) for score, row, how in scored[: limit + 5]]


def _candidates(db: sqlite_utils.Database, tokens: list[str], phonetic: list[str],
                wanted: int) -> Iterable[tuple[dict[str, Any], str]]:
    """Up to ``wanted`` rows, from the cheapest and closest FTS query to the loosest."""
    seen: set[int] = set()
    stages = [(q, "name") for q in _fts_stages("name_norm", tokens)]
    if phonetic:
        stages += [(q, "sound-alike") for q in _fts_stages("name_phonetic", phonetic)]
    for fts_query, how in stages:
        if len(seen) >= wanted:
            return
        for row in _rows(db, f"SELECT {_SELECT} FROM patients_fts JOIN patients p ON p.rid = patients_fts.rowid "
                             "WHERE patients_fts MATCH ? LIMIT ?", [fts_query, wanted - len(seen)], fts=True):
            if row["rid"] not in seen:
                seen.add(row["rid"])
                yield row, how


def _fts_stages(column: str, tokens: list[str]) -> list[str]:
    """FTS5 queries, most specific first; all share the same quoted tokens.

    1. every word whole; 2. the last word as a prefix (it is still being typed), earlier long words
    whole; 3. every word as a prefix. Whole-word terms are read lazily, so stages 1 and 2 stay fast
    even for "Devi" or "Kumar"; a prefix longer than the index's prefixes has to gather every
    matching word first, which is why it comes last.
    """
    *earlier, last = tokens
    lead = [_term(column, t, prefix=len(t) < _EXACT_BEFORE_PREFIX) for t in earlier]
    stages = [
        " AND ".join([_term(column, t, prefix=False) for t in tokens]),
        " AND ".join(lead + [_term(column, last, prefix=True)]),
        " AND ".join(_term(column, t, prefix=True) for t in tokens),
    ]
    return list(dict.fromkeys(stages))


def _term(column: str, token: str, *, prefix: bool) -> str:
    # The token as an FTS5 string literal: inside double quotes nothing is syntax except a doubled quote.
    literal = '"' + token.replace('"', '""') + '"'
    return f"{column} : {literal}{'*' if prefix else ''}"


def _score(tokens: list[str], written: Sequence[str], phonetic: list[str], row: dict[str, Any]) -> float:
    """How well a candidate's name fits the query: whole words beat prefixes beat sound-alikes.

    ``tokens`` had to match (the FTS query); ``written`` is the query as typed, with Kumar/Devi, which
    only lifts the names that have them too ("Gurpreet Kaur" above "Gurpreet Gill").
    """
    names = row["name_norm"].split()
    sounds = row["name_phonetic"].split()
    total = 0.0
    for i, token in enumerate(tokens):
        best = 0.0
        for j, word in enumerate(names):
            if word == token:
                best = 1.0
                break
            if word.startswith(token):
                best = max(best, 0.8)
            elif phonetic and j < len(sounds):
                if sounds[j] == phonetic[i]:
                    best = max(best, 0.6)
                elif sounds[j].startswith(phonetic[i]):
                    best = max(best, 0.4)
        total += best
    asked_baby = bool(written) and written[0] == "bo"
    is_baby = bool(names) and names[0] == "bo"
    if is_baby and not asked_baby:
        names = names[1:]  # "Sunita" finds B/O Sunita too, but after Sunita herself
    closeness = fuzz.ratio(" ".join(written), " ".join(names)) / 100
    order = 0.1 if names[: len(tokens)] == tokens else 0.0  # written in the same order
    baby = -0.05 if is_baby != asked_baby else 0.0
    return round(total / len(tokens) + 0.3 * closeness + order + baby, 4)


# -- shared helpers -------------------------------------------------------------------------------

def _rows(db: sqlite_utils.Database, sql: str, params: list[Any], *, fts: bool = False) -> list[dict[str, Any]]:
    if not fts:
        return query_dicts(db, sql, params)
    try:
        return query_dicts(db, sql, params)
    except Exception as exc:  # noqa: BLE001 - a search box must not crash; the cause is logged without the query
        log.warning("name search failed in the FTS index (%s); showing identifier matches only", type(exc).__name__)
        return []


def _hit(row: dict[str, Any], matched_on: str, score: float = 1.0) -> PatientHit:
    return PatientHit(
        id=row["id"], uhid=row["uhid"], downtime_id=row["downtime_id"], name=row["name"] or "",
        sex=row["sex"], age=age_text(row["dob"], row["age_years"]), dob=row["dob"],
        ward=row["ward"], bed=row["bed"] if row["ward"] else None,
        relation=relation_text(row["relation_type"], row["relative"]), source=row["source"],
        phone=row["phone"], abha=format_abha(row["abha"]), matched_on=matched_on, score=score,
    )


def _unique(hits: list[PatientHit]) -> list[PatientHit]:
    seen: set[tuple[str, str]] = set()
    out = []
    for hit in hits:
        key = (hit.source, hit.id.upper())
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out


def _with_placements(dbs: Sequence[sqlite_utils.Database], hits: list[PatientHit]) -> list[PatientHit]:
    """Show where the journal put a patient during the downtime, over the snapshot's census."""
    if not hits:
        return hits
    ids = list({i.upper() for h in hits for i in (h.id, *h.identifiers)})
    placed: dict[str, tuple[str | None, str | None, str]] = {}
    for db in dbs:
        if not has_table(db, "placements"):
            continue
        marks = ", ".join("?" * len(ids))
        for pid, ward, bed, at in db.execute(f"SELECT patient_id, ward, bed, updated_at FROM placements "
                                             f"WHERE patient_id IN ({marks})", ids).fetchall():
            if pid.upper() not in placed or (at or "") > placed[pid.upper()][2]:
                placed[pid.upper()] = (ward, bed, at or "")
    out = []
    for hit in hits:
        spot = next((placed[i.upper()] for i in (hit.id, *hit.identifiers) if i.upper() in placed), None)
        out.append(replace(hit, ward=spot[0], bed=spot[1]) if spot else hit)
    return out


# -- likely matches at registration ---------------------------------------------------------------

LIKELY_AGE_TOLERANCE = 2         # years either way: ages given at a desk are often guesses
_LIKELY_NAME_CLOSENESS = 60      # rapidfuzz token_sort_ratio a first-name-only candidate must reach
_LIKELY_LIMIT = 8                # a clerk reads a short list; more than this means the name is too common


def likely_matches(dbs: Sequence[sqlite_utils.Database], payload: dict[str, Any], *,
                   today: dt.date | None = None) -> list[PatientHit]:
    """Patients who may be the one about to be registered, best first.

    Candidates are sound-alike name matches (the full name, and the first name alone, so a
    differently spelt or dropped surname still comes up) and patients with the same phone. A
    candidate is kept only if its sex and age (within ±2 years) do not contradict the new details;
    an unknown sex or age contradicts nothing. Those sharing the phone or the relative's name come
    first, since at a ward desk they are the likeliest duplicates.
    """
    name = clean_text(str(payload.get("name") or ""))
    phone = normalize_phone(payload.get("phone"))
    relative = _relative_key(payload.get("relative"))
    age = _payload_age(payload, today)
    sex = payload.get("sex") or None
    found: list[PatientHit] = []
    if name.strip():
        found += search(dbs, name, limit=50, sound_alike=True)
        first = normalize_name(name).tokens[:1]
        if first and len(normalize_name(name).tokens) > 1:
            found += [h for h in search(dbs, first[0], limit=50, sound_alike=True)
                      if fuzz.token_sort_ratio(normalize_name(h.name).text, normalize_name(name).text)
                      >= _LIKELY_NAME_CLOSENESS]
    if phone and len(phone) == 10:
        found += search(dbs, phone, limit=20)
    ranked: list[tuple[int, float, PatientHit]] = []
    for hit in _unique(found):
        if sex and hit.sex and hit.sex != sex:
            continue
        hit_age = _hit_age(hit, today)
        if age is not None and hit_age is not None and abs(hit_age - age) > LIKELY_AGE_TOLERANCE:
            continue
        same_phone = bool(phone) and normalize_phone(hit.phone) == phone
        same_relative = bool(relative) and fuzz.token_set_ratio(relative, _relative_key(hit.relation)) >= 85
        agreements = int(same_phone) + int(same_relative)
        ranked.append((agreements, hit.score,
                       replace(hit, matched_on="phone" if same_phone else "relative" if same_relative
                               else hit.matched_on)))
    ranked.sort(key=lambda item: (-item[0], -item[1], item[2].name.casefold()))
    return [hit for _, _, hit in ranked[:_LIKELY_LIMIT]]


def _relative_key(text: Any) -> str:
    """The relative's name as a comparison key: "W/o Ramesh Kumar" and "Ramesh" give the same."""
    folded = normalize_name(str(text or ""))
    return normalize_name(folded.relative).key if folded.relation and folded.relative else folded.key


def _payload_age(payload: dict[str, Any], today: dt.date | None) -> int | None:
    text = age_text(payload.get("dob") or None, _int(payload.get("age_years")), today)
    return _years(text)


def _hit_age(hit: PatientHit, today: dt.date | None) -> int | None:
    return _years(age_text(hit.dob, None, today) if hit.dob else hit.age)


def _years(age: str | None) -> int | None:
    """Whole years from "45 y" (months and days count as 0)."""
    if not age:
        return None
    number, _, unit = age.partition(" ")
    return (int(number) if unit == "y" else 0) if number.isdecimal() else None  # int() refuses "①"


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
