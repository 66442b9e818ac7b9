"""How two people compare: per-field evidence with weights, and what rules a link out.

Each field comparison gives an ``Evidence``: an outcome, a weight in bits (log2 of how much likelier the
observation is for one person than for two different people, Fellegi-Sunter style, using how common the
name or PIN code is in the MPI) and a sentence a records officer can read.

* **Household fields are capped.** Phone, surname, address, PIN code and the relative's name are shared by
  a family. Together they can prove at most "same household" (``household_cap``), surname and PIN code at
  most "same community", never "same person". Once a shared phone or house establishes the household, the
  person fields are weighed *within* it, where a twin shares the dob and a sibling is of a similar age.
* **The person must agree.** ``Comparison.blockers`` lists why a pair may not be linked however high its
  score: the given name or the dob/age differs, the sex differs, the registration names the record as its
  relative, a newborn "B/O Sunita" against Sunita herself, another twin.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from downtime.names import GENERIC_PREFIXES, NameParts, normalize_name, phonetic_key
from sync.mpi import NameStats
from sync.person import RELATION_GROUPS, Person, age_tolerance

Outcome = Literal["agree", "disagree", "missing", "partial"]

# The matcher never assumes a smaller population than this: a 13-row test MPI must not make a
# coincidence look unlikely. (The catchment of even a district hospital is larger.)
MIN_POPULATION = 10_000
KNOWN_SHARE = 0.7            # share of downtime registrations expected to be patients already in the MPI
HOUSEHOLD_SIZE = 4           # people per household sharing phone, address and surname
COMMUNITY_SIZE = 50          # people sharing a surname within one PIN code
MAX_NAME_BITS = 13.0         # one name agreeing is never worth more than this


@dataclass(frozen=True)
class Evidence:
    """One field's comparison, as a records officer reads it."""

    field: str
    outcome: Outcome
    weight: float               # bits: > 0 speaks for the same person, < 0 against
    text: str


# Outcome levels of a name-word comparison, strongest first.
EXACT, SOUND, TYPO, CLOSE, INITIAL, NONE, MISSING = "exact", "sound", "typo", "close", "initial", "none", "missing"
_LEVEL_RANK = {EXACT: 5, SOUND: 4, TYPO: 3, CLOSE: 2, INITIAL: 1, NONE: 0, MISSING: -1}
_LEVEL_WORDS = {EXACT: "same", SOUND: "sound-alike", TYPO: "one letter differs, likely a typo",
                CLOSE: "different names one letter apart", INITIAL: "initial only", NONE: "different",
                MISSING: "not given"}


# -- the comparison of two people --------------------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    """What the weights depend on: name frequencies and the size of the population matched against."""

    stats: NameStats
    population: int

    @property
    def prior_bits(self) -> float:
        """Log2 odds, before any evidence, that a registration is one given record."""
        return math.log2(KNOWN_SHARE / self.population)

    @property
    def household_cap(self) -> float:
        """The most that household fields can prove: "one of this household's few members"."""
        return math.log2(self.population / HOUSEHOLD_SIZE)

    @property
    def community_cap(self) -> float:
        """The most that surname and PIN code can prove: "one of the few dozen Guptas of this PIN code"."""
        return math.log2(self.population / COMMUNITY_SIZE)

    @classmethod
    def for_stats(cls, stats: NameStats) -> Context:
        return cls(stats, max(stats.total, MIN_POPULATION))


@dataclass
class Comparison:
    score: float
    bits: float
    evidence: list[Evidence]
    blockers: list[str]
    vetoed: bool = False        # the record is certainly another person (a relative, the mother of a B/O...)
    birth: str = MISSING        # how dob/age compared: dob (exact), dob_close, year, age, near, differs, missing
    # Something only this patient or household has agrees (a shared phone or house, the exact dob), not
    # just a name, an age and a PIN code that namesakes share.
    anchored: bool = False


def _bits(m: float, u: float) -> float:
    return math.log2(m / u)


def _mix(population: float, household: float, strength: float) -> float:
    """A person-field weight between its value among strangers and within the household (0 <= strength <= 1)."""
    return population + (household - population) * strength


def compare(reg: Person, rec: Person, ctx: Context) -> Comparison:
    """Compare a registration (or any person) with one record; the order matters only for the text."""
    names = compare_names(reg.parts, rec.parts, ctx.stats)
    birth_level, birth_text = _birth_level(reg, rec)
    if names.given == NONE and birth_level == "differs":
        return _someone_else(names, birth_level, birth_text, reg, rec, ctx)
    household = [
        _surname_evidence(names, reg, rec, ctx),
        _phone_evidence(reg, rec),
        _address_evidence(reg, rec),
        _pincode_evidence(reg, rec, names, ctx),
        _relative_evidence(reg, rec, names, ctx.stats),
    ]
    positive = sum(e.weight for e in household if e.weight > 0)
    community = sum(e.weight for e in household if e.weight > 0 and e.field not in _HOUSEHOLD_FIELDS)
    capped = min(positive - community + min(community, ctx.community_cap), ctx.household_cap)
    strength = _household_strength(household, ctx)
    household = [_within_household(e, strength) for e in household]
    birth = _birth_evidence(birth_level, birth_text, strength)
    person = [_given_evidence(names, reg, rec, ctx, strength), birth, _sex_evidence(reg, rec)]
    if names.initials_differ:
        person.append(Evidence("initials", "disagree", _bits(0.05, 0.8),
                               f"initials {_initials(reg)} vs {_initials(rec)} (the father's name in the south)"))
    vetoes = _vetoes(reg, rec, names)
    evidence = person + household
    if capped < positive:
        evidence.append(Evidence("household", "partial", capped - positive,
                                 f"household fields count at most {ctx.household_cap:.0f} bits together, surname "
                                 f"and PIN code {ctx.community_cap:.0f}: a shared household is not the same person"))
    evidence.extend(vetoes)
    negative = sum(e.weight for e in household if e.weight < 0)
    bits = ctx.prior_bits + capped + negative + sum(e.weight for e in person) + sum(e.weight for e in vetoes)
    blockers = _blockers(names, birth_level, reg, rec, evidence, strength)
    anchored = birth_level == "dob" or strength >= 0.5
    return Comparison(_probability(bits), bits, evidence, blockers, vetoed=bool(vetoes), birth=birth_level,
                      anchored=anchored)


# Fields that only a household shares (surname and PIN code are shared by a whole community).
_HOUSEHOLD_FIELDS = frozenset({"phone", "address", "relative"})
# Fields whose disagreement means little once the household is established: members have their own
# phones, and an address or PIN code written differently is still the same house. (A differing surname
# still counts: a household shares it.)
_SHARED_FIELDS = frozenset({"phone", "address", "pincode"})


def _household_strength(household: list[Evidence], ctx: Context) -> float:
    """0..1: how sure it is that both live in one household. Only a shared phone or house says so: a
    relative's name is shared by namesakes' families too ("D/o Joseph Nair")."""
    agreement = sum(e.weight for e in household if e.weight >= _HOUSE_BITS and e.field in ("phone", "address"))
    return min(1.0, agreement / ctx.household_cap)


_HOUSE_BITS = 8.0  # a house number alone, or a locality alone, is not a household


def _within_household(item: Evidence, strength: float) -> Evidence:
    if item.weight >= 0 or item.field not in _SHARED_FIELDS or strength == 0:
        return item
    return dataclasses.replace(item, weight=item.weight * (1 - strength))


def _someone_else(names: NameComparison, birth_level: str, birth_text: str, reg: Person, rec: Person,
                  ctx: Context) -> Comparison:
    """Another given name and another age: never linked nor reviewed, so the household fields (most of
    the work) are not compared. The score is an upper bound: as if every household field agreed."""
    person = [_given_evidence(names, reg, rec, ctx, 1.0), _birth_evidence(birth_level, birth_text, 1.0),
              _sex_evidence(reg, rec)]
    bits = ctx.prior_bits + ctx.household_cap + sum(e.weight for e in person)
    blockers = ["given name differs", "dob/age does not agree"]
    return Comparison(_probability(bits), bits, person, blockers, vetoed=False, birth=birth_level)


def _probability(bits: float) -> float:
    if bits > 60:
        return 1.0
    if bits < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** -bits)


# -- names ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NameComparison:
    given: str                  # level of the given name (the one family members do not share)
    given_pair: tuple[str, str] | None   # (registration word, record word), folded
    surname: str
    surname_pair: tuple[str, str] | None
    swapped: bool = False       # the registration wrote the surname first
    initials_differ: bool = False  # "K. Murugan" and "R. Murugan": both give initials, none in common


def word_level(a: str, b: str, stats: NameStats) -> str:
    """How two folded name words compare: exact, sound-alike, a typo, two real names one letter apart, or none."""
    if a == b:
        return EXACT
    if phonetic_key(a) == phonetic_key(b) and _same_first_vowel(a, b):
        return SOUND
    if len(a) >= 3 and len(b) >= 3 and a[0] == b[0]:
        limit = 2 if min(len(a), len(b)) >= 8 else 1
        if DamerauLevenshtein.distance(a, b, score_cutoff=limit) <= limit:
            # Rajesh/Rakesh, Sunita/Sumita are siblings' names, not typos: decide by whether both are
            # names other people carry.
            return CLOSE if stats.is_known_name(a) and stats.is_known_name(b) else TYPO
    return NONE


def _same_first_vowel(a: str, b: str) -> bool:
    """The sound key writes every first vowel as "a", joining Asha and Usha, who are not one name; only
    e and i (Eshwar, Ishwar) are spelling variants of each other."""
    if a[0] not in _VOWELS and b[0] not in _VOWELS:
        return True
    return a[0] == b[0] or a[0] + b[0] in ("ei", "ie")


_VOWELS = frozenset("aeiou")


def compare_names(reg: NameParts, rec: NameParts, stats: NameStats) -> NameComparison:
    """Align the registration's words with the record's by content (order, fillers and titles ignored)."""
    rec = _roles(rec, reg)
    reg_words = list(reg.full)
    rec_words = list(rec.full)
    aligned = _align(reg_words, rec_words, stats)            # record word index -> (reg word index, level)
    used_reg = {i for i, _ in aligned.values()}
    spare_reg = [i for i in range(len(reg_words)) if i not in used_reg]
    spare_initials = [x for x in reg.initials]

    given, given_pair = MISSING, None
    given_hits = [(k, aligned[k]) for k in range(len(rec.given)) if k in aligned]
    if given_hits:
        k, (i, level) = max(given_hits, key=lambda hit: _LEVEL_RANK[hit[1][1]])
        given, given_pair = level, (reg_words[i], rec.given[k])
        conflict = [k2 for k2 in range(len(rec.given)) if k2 not in aligned]
        surname_open = rec.surname is not None and len(rec.given) not in aligned
        if conflict and len(spare_reg) > (1 if surname_open else 0):
            # "Shiv Prasad" against "Ram Prasad": a shared middle name does not make the same person.
            given, given_pair = NONE, (reg_words[spare_reg[0]], rec.given[conflict[0]])
        elif 0 in spare_reg and i != 0 and len(reg_words) > 1:
            # "Sachin Ramesh Patil" against "Ramesh Patil": the registration's own first name matched
            # nothing, its father's (or husband's) middle name did.
            given, given_pair = NONE, (reg_words[0], rec.given[k])
    elif rec.given:
        first = rec.given[0]
        if spare_reg:
            # A written given name that matches nothing ("R. Saravanan" against "R. Rajan": the initial
            # there is the father's) outweighs an initial that happens to fit.
            given, given_pair = NONE, (reg_words[spare_reg[0]], first)
            spare_reg = spare_reg[1:]
        elif spare_initials and spare_initials[0] == first[0]:  # the first initial stands for the given name
            given, given_pair = INITIAL, (first[0], first)
            spare_initials.pop(0)
    elif rec.initials:
        letters = [reg_words[i][0] for i in spare_reg] + spare_initials
        if letters:
            given = INITIAL if rec.initials[0] in letters else NONE
            given_pair = (letters[0] if given == NONE else rec.initials[0], rec.initials[0])

    surname, surname_pair = MISSING, None
    if rec.surname is not None:
        k = len(rec.given)
        if k in aligned:
            i, surname = aligned[k][0], aligned[k][1]
            surname_pair = (reg_words[i], rec.surname)
        elif spare_reg:
            surname, surname_pair = NONE, (reg_words[spare_reg[-1]], rec.surname)
        elif rec.surname[0] in spare_initials:
            surname, surname_pair = INITIAL, (rec.surname[0], rec.surname)
    swapped = _is_swapped(aligned, len(rec.given))
    initials_differ = bool(reg.initials and rec.initials and not set(reg.initials) & set(rec.initials)
                           and given in (EXACT, SOUND, TYPO))
    return NameComparison(given, given_pair, surname, surname_pair, swapped, initials_differ)


def _roles(rec: NameParts, reg: NameParts) -> NameParts:
    """The record's words with their roles, fixing "R. K. Sharma": its one full word is the surname when
    the registration has it as its surname."""
    if (rec.initials and rec.surname is None and len(rec.given) == 1 and reg.surname is not None
            and phonetic_key(rec.given[0]) == phonetic_key(reg.surname)):
        return NameParts((), rec.given[0], rec.initials, rec.baby_of, rec.twin)
    return rec


def _align(reg_words: Sequence[str], rec_words: Sequence[str], stats: NameStats) -> dict[int, tuple[int, str]]:
    """Greedy best-first pairing of words; each word is used once."""
    pairs = []
    for i, a in enumerate(reg_words):
        for k, b in enumerate(rec_words):
            level = word_level(a, b, stats)
            if level != NONE:
                pairs.append((-_LEVEL_RANK[level], k, i, level))
    pairs.sort()
    aligned: dict[int, tuple[int, str]] = {}
    used: set[int] = set()
    for _, k, i, level in pairs:
        if k not in aligned and i not in used:
            aligned[k] = (i, level)
            used.add(i)
    return aligned


def _is_swapped(aligned: Mapping[int, tuple[int, str]], given_count: int) -> bool:
    if 0 not in aligned or given_count not in aligned or given_count == 0:
        return False
    return aligned[0][0] > aligned[given_count][0]


# Per level: m (share of true pairs at this level), u among strangers (None: from the name's frequency),
# u within a household (two members' given names: a son named after his father, siblings one letter
# apart, siblings sharing an initial; an initial is written for 4 % of names).
_GIVEN_MU: dict[str, tuple[float, float | None, float]] = {
    EXACT: (0.85, None, 0.02),
    SOUND: (0.08, None, 0.005),
    TYPO: (0.04, 0.001, 0.005),
    CLOSE: (0.005, 0.003, 0.03),
    INITIAL: (0.04, None, 0.04 * 0.1),
    NONE: (0.03, 0.95, 0.95),
}
_INITIAL_WRITTEN = 0.04  # how often a registration gives only an initial: the u of an initial is this times the letter's share


def _given_evidence(names: NameComparison, reg: Person, rec: Person, ctx: Context, strength: float) -> Evidence:
    level = names.given
    text = f"name: '{reg.name}' {_symbol(level)} '{rec.name}' ({_given_words(names, reg, rec)})"
    if level == MISSING:
        return Evidence("name", "missing", 0.0, text)
    m, u_population, u_household = _GIVEN_MU[level]
    if u_population is None:
        assert names.given_pair is not None
        word = names.given_pair[1]
        # Within an agreeing surname, the name's share among that surname's people (see NameStats).
        surname = names.surname_pair[1] if names.surname in (EXACT, SOUND) and names.surname_pair else None
        u_population = (_INITIAL_WRITTEN * ctx.stats.share("initial", word[0]) if level == INITIAL
                        else ctx.stats.given_share(word, surname) * (3 if level == SOUND else 1))
    weight = min(_mix(_bits(m, u_population), _bits(m, u_household), strength), MAX_NAME_BITS)
    return Evidence("name", _outcome(level), weight, text)


def _given_words(names: NameComparison, reg: Person, rec: Person) -> str:
    if names.given_pair is None:
        return f"given name {_LEVEL_WORDS[names.given]}"
    written = (_written_word(reg.name, names.given_pair[0]), _written_word(rec.name, names.given_pair[1]))
    if names.given == EXACT and written[0].casefold() != written[1].casefold():
        detail = f"given name {written[0]} / {written[1]}: spelling variant"
    elif names.given == EXACT:
        detail = "given name same"
    else:
        detail = f"given name {written[0]} / {written[1]}: {_LEVEL_WORDS[names.given]}"
    if names.swapped:
        detail += "; surname written first"
    return detail


@lru_cache(maxsize=65536)
def _written_word(name: str, folded: str) -> str:
    """The word of ``name`` as written that folds to ``folded`` ("Suneeta" for "sunita"), for the evidence text."""
    if len(folded) == 1:
        return folded.upper() + "."
    for word in _WORDS.findall(name):
        if folded in normalize_name(word).tokens:
            return word
    return folded


_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _surname_evidence(names: NameComparison, reg: Person, rec: Person, ctx: Context) -> Evidence:
    level = names.surname
    pair = names.surname_pair
    shown = f"{_written_word(reg.name, pair[0])} / {_written_word(rec.name, pair[1])}" if pair else ""
    if level == MISSING:
        return Evidence("surname", "missing", 0.0, "surname: not given on one side")
    if level in (EXACT, SOUND):
        weight = _bits(0.85, ctx.stats.share("surname", pair[1])) if pair else 0.0
        return Evidence("surname", "agree", min(weight, MAX_NAME_BITS),
                        f"surname {shown} {_LEVEL_WORDS[level]} (household field)")
    if level in (TYPO, CLOSE, INITIAL):
        return Evidence("surname", "partial", _bits(0.04, 0.01), f"surname {shown}: {_LEVEL_WORDS[level]}")
    # Women often change surname at marriage; a man's differing surname says more.
    weight = _bits(0.15 if rec.sex == "female" or reg.sex == "female" else 0.04, 0.97)
    return Evidence("surname", "disagree", weight, f"surname {shown} differs")


def _initials(person: Person) -> str:
    return " ".join(x.upper() + "." for x in person.parts.initials)


def _symbol(level: str) -> str:
    return {EXACT: "=", SOUND: "≈", TYPO: "≈", INITIAL: "~", MISSING: "?"}.get(level, "≠")


def _outcome(level: str) -> Outcome:
    if level in (EXACT, SOUND):
        return "agree"
    if level in (TYPO, INITIAL):
        return "partial"
    if level == MISSING:
        return "missing"
    return "disagree"


# -- birth, sex -------------------------------------------------------------------------------------------------

# Birth levels: m, u among strangers, u within a household (twins share a dob; a sibling or spouse may be
# within two years).
_BIRTH_MU: dict[str, tuple[float, float, float]] = {
    "dob": (0.85, 1 / (365 * 80), 0.03),
    "dob_close": (0.06, 0.002, 0.03),
    "year": (0.9, 1 / 80, 0.1),
    "age": (0.92, 6 / 80, 0.15),
    "near": (0.03, 0.1, 0.2),
    "differs": (0.02, 0.9, 0.7),
}


def _birth_evidence(level: str, text: str, strength: float) -> Evidence:
    if level == MISSING:
        return Evidence("dob", "missing", 0.0, text)
    m, u_population, u_household = _BIRTH_MU[level]
    weight = _mix(_bits(m, u_population), _bits(m, u_household), strength)
    outcome: Outcome = {"dob": "agree", "year": "agree", "age": "agree", "dob_close": "partial",
                        "near": "partial"}.get(level, "disagree")  # type: ignore[assignment]
    return Evidence("dob", outcome, weight, text)


def _birth_level(reg: Person, rec: Person) -> tuple[str, str]:
    if reg.dob and rec.dob:
        if reg.dob == rec.dob:
            return "dob", f"dob {reg.dob.isoformat()} same"
        if _dob_close(reg.dob, rec.dob):
            return "dob_close", f"dob {reg.dob.isoformat()} vs {rec.dob.isoformat()} (digits swapped or mistyped)"
        return "differs", f"dob {reg.dob.isoformat()} vs {rec.dob.isoformat()} differ"
    if reg.age is not None or rec.age is not None:
        return _age_level(reg, rec)
    if reg.birth_year is not None and rec.birth_year is not None:
        shown = f"born {reg.birth_year} vs {rec.birth_year}"
        gap = abs(reg.birth_year - rec.birth_year)
        return ("year", shown + " same year") if gap == 0 else ("near" if gap <= 2 else "differs", shown)
    return MISSING, "dob/age: not given on one side"


def _age_level(reg: Person, rec: Person) -> tuple[str, str]:
    """An age against a dob (the dob's age on the registration day) or against another age."""
    aged, other = (reg, rec) if reg.age is not None else (rec, reg)
    assert aged.age is not None
    if aged.as_of is None:
        return MISSING, "age given without the date it was recorded"
    tolerance = age_tolerance(aged.age)
    if other.has_birth and other.age is None:
        other_age = other.age_on(aged.as_of)
        assert other_age is not None
        shown = f"dob {other.dob.isoformat()}" if other.dob else f"born {other.birth_year}"
        text = f"age {aged.age} vs {shown} → {other_age}"
        gap = abs(other_age - aged.age)
    elif other.age is not None and other.as_of is not None:
        # Two guessed ages, maybe recorded on different days: compare the birth years they imply,
        # allowing for both guesses (and a birthday between the two days).
        gap = max(0, abs((aged.as_of.year - aged.age) - (other.as_of.year - other.age)) - 1)
        tolerance += age_tolerance(other.age)
        text = f"age {aged.age} vs age {other.age}"
    else:
        return MISSING, "dob/age: not given on one side"
    if gap <= tolerance:
        return "age", f"{text} (within {tolerance} y)"
    if gap <= tolerance + 3:
        return "near", f"{text} ({gap} y apart)"
    return "differs", f"{text} ({gap} y apart)"


def _dob_close(a: Any, b: Any) -> bool:
    """Day and month swapped, one digit mistyped, or the same day and month a year off."""
    if (a.day, a.month) == (b.month, b.day) and a.year == b.year:
        return True
    digits_a, digits_b = f"{a.year:04}{a.month:02}{a.day:02}", f"{b.year:04}{b.month:02}{b.day:02}"
    if sum(x != y for x, y in zip(digits_a, digits_b)) == 1:
        return True
    return (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1


def _sex_evidence(reg: Person, rec: Person) -> Evidence:
    if not reg.sex or not rec.sex:
        return Evidence("sex", "missing", 0.0, "sex: not given on one side")
    if reg.sex == rec.sex:
        return Evidence("sex", "agree", _bits(0.99, 0.5), f"sex {reg.sex} same")
    return Evidence("sex", "disagree", _bits(0.003, 0.5), f"sex {reg.sex} vs {rec.sex}")


# -- household fields -----------------------------------------------------------------------------------------

def _phone_evidence(reg: Person, rec: Person) -> Evidence:
    if not reg.phone or not rec.phone:
        return Evidence("phone", "missing", 0.0, "phone: not given on one side")
    if reg.phone == rec.phone:
        return Evidence("phone", "agree", _bits(0.65, 1e-5), "phone same (household field)")
    # People change numbers and give a relative's: a differing phone is weak evidence against.
    return Evidence("phone", "disagree", _bits(0.3, 1.0), f"phone {reg.phone} vs {rec.phone}")


def _address_evidence(reg: Person, rec: Person) -> Evidence:
    """House-level agreement needs the numbers (house, block, lane) to fit and the locality words to agree."""
    if not reg.address or not rec.address:
        return Evidence("address", "missing", 0.0, "address: not given on one side")
    numbers_a, words_a = _address_parts(reg.address)
    numbers_b, words_b = _address_parts(rec.address)
    similarity = fuzz.token_set_ratio(words_a, words_b) if words_a and words_b else None
    shown = f"'{reg.address_text}' vs '{rec.address_text}'"
    # The house number (the first number written) must be the same; the other numbers (block, lane) may
    # be left out on one side but not differ.
    numbers_fit = (bool(numbers_a and numbers_b) and numbers_a[0] == numbers_b[0]
                   and (set(numbers_a) <= set(numbers_b) or set(numbers_b) <= set(numbers_a)))
    if numbers_a and numbers_b and not numbers_fit:
        # Same locality, another house or block: a neighbour, not the household.
        return Evidence("address", "disagree", _bits(_ADDRESS_CHANGED, 1.0), f"address: {shown}: house numbers differ")
    if similarity is not None and similarity < 60:
        return Evidence("address", "disagree", _bits(_ADDRESS_CHANGED, 1.0), f"address: {shown} differ")
    if numbers_fit and similarity is not None and similarity >= 85:
        if set(numbers_a) == set(numbers_b):
            return Evidence("address", "agree", _bits(0.5, 1e-4), f"address: {shown} same house (household field)")
        # The block or lane left out on one side: the same house number in the same locality.
        return Evidence("address", "partial", _bits(0.3, 1e-3), f"address: {shown} probably the same house")
    return Evidence("address", "partial", _bits(0.2, 0.01), f"address: {shown} partly similar")


_ADDRESS_CHANGED = 0.15  # share of patients whose address differs from the HMIS's (moved, rented, hostel)


def _address_parts(folded: str) -> tuple[list[str], str]:
    """(the numbers in written order, the other words)."""
    words = folded.split()
    return [w for w in words if w[0].isdigit()], " ".join(w for w in words if not w[0].isdigit())


def _pincode_evidence(reg: Person, rec: Person, names: NameComparison, ctx: Context) -> Evidence:
    if not reg.pincode or not rec.pincode:
        return Evidence("pincode", "missing", 0.0, "PIN code: not given on one side")
    if reg.pincode == rec.pincode:
        given = names.given_pair[1] if names.given in (EXACT, SOUND) and names.given_pair else None
        return Evidence("pincode", "agree", _bits(0.9, ctx.stats.pincode_share(rec.pincode, given)),
                        f"PIN code {rec.pincode} same (household field)")
    return Evidence("pincode", "disagree", _bits(0.05, 1.0), f"PIN code {reg.pincode} vs {rec.pincode}")


def _relative_evidence(reg: Person, rec: Person, names: NameComparison, stats: NameStats) -> Evidence:
    if reg.relative is None or rec.relative is None or not reg.relative.full or not rec.relative.full:
        return Evidence("relative", "missing", 0.0, "relative: not given on one side")
    shown = f"{_relative_shown(reg)} vs {_relative_shown(rec)}"
    group_a, group_b = RELATION_GROUPS.get(reg.relation or ""), RELATION_GROUPS.get(rec.relation or "")
    if group_a and group_b and group_a != group_b:
        return Evidence("relative", "missing", 0.0, f"relative: {shown} (father vs husband: not comparable)")
    level = _relative_level(reg.relative, rec.relative, stats)
    if level in (EXACT, SOUND):
        # Worth as much as the relative's name is rare: "W/o Md Imran" is said of many women.
        both_surnames = reg.relative.surname and rec.relative.surname
        key = f"{rec.relative.first}|{rec.relative.surname if both_surnames else ''}"
        u = stats.share("relative", key)
        surname = rec.parts.surname
        if both_surnames and surname and names.surname in (EXACT, SOUND) and rec.relative.surname == surname:
            # The surname has been counted already: "S/o Subhash Ghosh" only adds "Subhash" among the Ghoshs.
            u = min(1.0, u / stats.share("surname", surname))
        return Evidence("relative", "agree", _bits(0.5, u), f"relative: {shown} same (household field)")
    if level in (TYPO, INITIAL):
        return Evidence("relative", "partial", _bits(0.1, 0.01), f"relative: {shown} similar")
    if "spouse" in (group_a, group_b):
        return Evidence("relative", "disagree", _bits(0.02, 0.9), f"relative: {shown.replace(' vs ', ' ≠ ')}")
    # A parent may be given as the father on one visit and the mother on the next.
    return Evidence("relative", "disagree", _bits(0.25, 0.9), f"relative: {shown.replace(' vs ', ' ≠ ')}")


def _relative_level(a: NameParts, b: NameParts, stats: NameStats) -> str:
    first_a, first_b = a.first, b.first
    if not first_a or not first_b or first_a in GENERIC_PREFIXES or first_b in GENERIC_PREFIXES:
        return MISSING  # "W/o Mohd" names nobody in particular
    if len(first_a) == 1 or len(first_b) == 1:
        return INITIAL if first_a[0] == first_b[0] else NONE
    level = word_level(first_a, first_b, stats)
    if level in (EXACT, SOUND) and a.surname and b.surname and word_level(a.surname, b.surname, stats) == NONE:
        return NONE
    return level


_NO_STATS = NameStats()


def _relative_shown(person: Person) -> str:
    text = (person.relative_text or "").strip()
    label = {"so": "S/o", "do": "D/o", "wo": "W/o", "ho": "H/o", "bo": "B/O", "co": "C/o"}.get(person.relation or "")
    if label and not normalize_name(text).relation:
        return f"{label} {text}"
    return text


# -- what rules a record out -------------------------------------------------------------------------------------

_VETO_BITS = -30.0


def _vetoes(reg: Person, rec: Person, names: NameComparison) -> list[Evidence]:
    """Evidence that the record is certainly someone else (never linked, never reviewed)."""
    found = []
    if reg.parts.baby_of != rec.parts.baby_of:
        baby, other = (reg, rec) if reg.parts.baby_of else (rec, reg)
        found.append(Evidence("newborn", "disagree", _VETO_BITS,
                              f"'{baby.name}' is a newborn known by the mother's name; '{other.name}' is not"))
    elif reg.parts.twin and rec.parts.twin and reg.parts.twin != rec.parts.twin:
        found.append(Evidence("twin", "disagree", _VETO_BITS, f"twin {reg.parts.twin} vs twin {rec.parts.twin}"))
    if reg.abha and rec.abha and reg.abha != rec.abha:
        found.append(Evidence("abha", "disagree", _VETO_BITS, "ABHA numbers differ"))
    # A son named after his father ("Santosh S/o Santosh") names his own name as his relative: only a
    # relative whose name is not also the patient's own rules the record out.
    if not reg.parts.baby_of and not rec.parts.baby_of and names.given not in (EXACT, SOUND):
        if _is_relative(reg, rec):
            found.append(Evidence("relative", "disagree", _VETO_BITS,
                                  f"the registration names '{rec.name}' as its relative ({_relative_shown(reg)})"))
        elif _is_relative(rec, reg):
            found.append(Evidence("relative", "disagree", _VETO_BITS,
                                  f"the record names '{reg.name}' as its relative ({_relative_shown(rec)})"))
    return found


# The relative's sex that a relation implies (S/o and D/o may name the mother as well as the father).
_RELATIVE_SEX = {"wo": "male", "ho": "female", "bo": "female"}


def _is_relative(person: Person, other: Person) -> bool:
    """Whether ``person``'s relative is ``other``: the same name (given name exactly, surname not different)."""
    relative = person.relative
    if relative is None or not relative.given or not other.parts.given:
        return False
    if other.relative is not None and other.relative.given[:1] == other.parts.given[:1]:
        return False  # ``other`` carries its own father's name: a relative of that name may be either
    implied = _RELATIVE_SEX.get(person.relation or "")
    if implied and other.sex and implied != other.sex:
        return False
    if relative.given[0] != other.parts.given[0]:
        return False  # exact only: "Sumit" is the father of "Sumita", not the same name
    if relative.surname and other.parts.surname:
        return word_level(relative.surname, other.parts.surname, _NO_STATS) in (EXACT, SOUND)
    return True


def _blockers(names: NameComparison, birth: str, reg: Person, rec: Person, evidence: list[Evidence],
              household: float) -> list[str]:
    """Why this pair may not be linked without a person looking, however high its score."""
    blockers = []
    given = names.given
    exact_dob = birth == "dob"
    if given in (NONE, CLOSE):
        blockers.append("given name differs")
    elif given == MISSING:
        blockers.append("no given name to compare")
    elif given == TYPO and not (exact_dob or (birth in ("year", "age") and household >= 1.0)):
        blockers.append("given name differs by a letter and only the age agrees")
    elif given == INITIAL and not (birth == "dob" or (birth in ("year", "age") and household >= 1.0)):
        blockers.append("given name is only an initial")
    if names.initials_differ:
        blockers.append("initials differ")
    if reg.parts.baby_of and rec.parts.baby_of and names.surname == NONE:
        blockers.append("the mothers' surnames differ")
    if birth in ("differs", "near", MISSING) or (birth == "dob_close" and given not in (EXACT, SOUND)):
        blockers.append("dob/age " + ("not given" if birth == MISSING else "does not agree"))
    elif reg.parts.baby_of and rec.parts.baby_of:
        # "B/O Sunita" names the mother: only the baby's own dob and twin mark tell her babies apart.
        if birth != "dob":
            blockers.append("a newborn's dob must agree exactly")
        if bool(reg.parts.twin) != bool(rec.parts.twin):
            blockers.append("twin mark on one side only")
    for item in evidence:
        if item.field == "sex" and item.outcome == "disagree":
            blockers.append("sex differs")
        elif item.field == "relative" and item.outcome == "disagree" and item.weight < -5:
            blockers.append("relative differs")
        elif item.field == "surname" and item.outcome == "disagree" and "female" not in (reg.sex, rec.sex):
            blockers.append("surname differs")
        elif item.field in ("newborn", "twin", "abha") and item.outcome == "disagree":
            blockers.append(item.text)
    return blockers
