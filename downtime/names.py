"""Normalised keys for Indian personal names, for search and for record matching.

The same person is written many ways across a hospital's registers: "Smt. Suneeta Devi W/o Ramesh",
"SUNITA", "सुनीता देवी"; "Mohd. Salim" and "Mohammed Saleem"; "R. K. Sharma" and "Ramesh Kumar Sharma";
"B/O Sunita" for her newborn. This module reduces a name to folded tokens so that such variants meet,
while keeping apart names that are really different (Sunita and Sumita never share a key).

Two levels:

* ``fold_token``: spelling folds that hardly ever join two different names (ee/i, oo/u, aa/a, w/v,
  ph/f, sh/s, ksh/x, Mohd/Mohammad...). Search and matching use these tokens as they are.
* ``phonetic_key``: a looser sound-alike key (aspirates dropped, vowels after the first letter dropped,
  b/v joined). It joins more names than it should, so its hits are always ranked against the folded name.

Everything here is a pure function of its input and never raises on odd text (emoji, NUL, right-to-left
marks, 10 kB of junk): names come from keyboards, old registers and HMIS exports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

# Longer input is not a name; cutting it keeps every function here cheap on hostile input.
MAX_NAME_CHARS = 200

# Titles dropped from the start of a name. "Kumari"/"Km" is a title only in front of the name
# ("Km. Pooja"); after the given name it is an optional part of the name (see FILLERS).
HONORIFICS = frozenset({
    "mr", "mrs", "ms", "miss", "mst", "master", "smt", "shrimati", "srimati", "shri", "sri", "shree", "sh",
    "dr", "prof", "late", "lt", "km", "kum", "kumari", "sushri", "janab", "mohtarma", "sardar", "sardarni",
    "thiru", "thirumathi", "tmt", "selvi", "selvan", "er", "adv", "capt", "col", "maj", "gen",
})

# Parts people add or leave out of the same person's name ("Sunita Devi" = "Sunita",
# "Ramesh Kumar Sharma" = "Ramesh Sharma"). They stay in the searchable tokens but not in ``key``.
FILLERS = frozenset({"kumar", "kumari", "devi", "kaur", "begum", "bibi", "khatun", "khatoon", "bai", "ben", "bhai"})

# Suffixes Gujarati and Marathi names attach to the given name ("Rameshbhai", "Hansaben", "Sitabai").
_ATTACHED_FILLERS = ("bhai", "ben", "bai")
_MIN_STEM = 4

# Spellings of one name that no letter-level fold joins. Each group maps to its first member.
_VARIANT_GROUPS = (
    ("mohammad", "mohammed", "mohamad", "mohamed", "muhammad", "muhammed", "mohammod", "mohmad", "mohd", "md",
     "mahomed", "mohummad"),
    ("syed", "sayed", "sayyed", "sayyad", "saiyed", "saiyad", "sayyid"),
    ("shaikh", "sheikh", "shaik", "sheik", "shekh", "seikh"),
    ("chaudhary", "chaudhari", "choudhary", "choudhari", "chowdhury", "choudhury", "chaudhry", "chowdhary"),
    ("chatterjee", "chattopadhyay"),
    ("banerjee", "bandyopadhyay"),
    ("mukherjee", "mukhopadhyay"),
    ("srivastava", "shrivastava", "srivastav", "shrivastav"),
)

# Relation markers as written on Indian registers: "S/o", "S.O.", "son of", and Hindi words.
RELATIONS = {"so": "S/o", "do": "D/o", "wo": "W/o", "ho": "H/o", "co": "C/o", "bo": "B/O"}
_RELATION_WORDS = {
    "son of": "so", "daughter of": "do", "wife of": "wo", "husband of": "ho", "care of": "co",
    "baby of": "bo", "baby girl of": "bo", "baby boy of": "bo", "infant of": "bo", "new born of": "bo",
    "newborn of": "bo", "पुत्र": "so", "पुत्री": "do", "पत्नी": "wo", "शिशु": "bo",
}
_RELATION_RE = re.compile(
    r"(?<![^\W\d_])([sdwhcb])\s*[/\\.]\s*o(?![^\W\d_])\.?"          # S/o, s/O, S.O., D\o
    r"|(?<![^\W\d_])(" + "|".join(sorted((re.escape(w) for w in _RELATION_WORDS), key=len, reverse=True)) + r")"
    r"(?![^\W\d_])",
    re.IGNORECASE,
)
_TWIN_RE = re.compile(r"[(\[]?\btwin\s*[-#]?\s*(1|2|3|a|b|c|i{1,3})\b[)\]]?|[(\[](i{1,3}|1|2|3)[)\]]", re.IGNORECASE)
_TWIN_ORDER = {"1": "1", "a": "1", "i": "1", "2": "2", "b": "2", "ii": "2", "3": "3", "c": "3", "iii": "3"}

_VOWELS = frozenset("aeiouy")
# Folds applied in this order; each pair joins two romanisations of the same Indian sound.
_FOLDS = (("sh", "s"), ("ks", "x"), ("ph", "f"), ("w", "v"), ("ee", "i"), ("ii", "i"), ("oo", "u"),
          ("uu", "u"), ("aa", "a"))
# The sound-alike key additionally drops aspiration and joins b/v, z/j, q/k, c/k-like spellings.
_PHONETIC = (("chh", "c"), ("ch", "c"), ("th", "t"), ("dh", "d"), ("bh", "b"), ("kh", "k"), ("gh", "g"),
             ("jh", "j"), ("ck", "k"), ("q", "k"), ("z", "j"), ("v", "b"))


@dataclass(frozen=True)
class NormalizedName:
    """A name reduced to folded tokens, with what was said about it (B/O, twin, relation) kept apart."""

    tokens: tuple[str, ...]           # folded, in written order; fillers kept, titles and relation removed
    initials: tuple[str, ...] = ()    # the one-letter tokens ("R. K. Sharma" -> r, k)
    baby_of: bool = False             # "B/O Sunita", "Baby of Sunita": tokens start with "bo"
    twin: str | None = None           # "1", "2" or "3" for "Twin 1", "(II)"...
    relation: str | None = None       # so/do/wo/ho/co/bo if the text named a relative
    relative: str | None = None       # the relative's name as written, without the marker

    @cached_property
    def text(self) -> str:
        """All tokens, space-separated: what the search index stores."""
        return " ".join(self.tokens)

    @property
    def core(self) -> tuple[str, ...]:
        """Tokens without the optional parts (Kumar, Devi...), unless nothing else is left."""
        core = tuple(t for t in self.tokens if t not in FILLERS)
        return core or self.tokens

    @property
    def key(self) -> str:
        """The comparison key: two spellings of one name give the same key."""
        return " ".join(self.core)

    @cached_property
    def phonetic(self) -> str:
        """Per-token sound-alike keys, space-separated, in token order."""
        return " ".join(phonetic_key(t) for t in self.tokens)


def clean_text(text: str | None, limit: int = MAX_NAME_CHARS) -> str:
    """NFKC, without control/format characters (NUL, zero-width joiners, RTL marks), cut to ``limit``."""
    if not text:
        return ""
    if text.isascii() and text.isprintable():
        return text[:limit]  # the usual case, and NFKC cannot change printable ASCII
    text = unicodedata.normalize("NFKC", text[: limit * 2])
    # Format characters (zero-width joiners, RTL marks) only change rendering: drop them so "Su\u200dnita"
    # stays one word. Controls (NUL, tabs, newlines) and unassigned/private code points become spaces.
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        out.append(" " if category[0] == "C" else ch)
    return "".join(out)[:limit]


def split_relation(text: str | None) -> tuple[str, str | None, str | None]:
    """Split "Ramesh S/o Suresh" into ("Ramesh", "so", "Suresh"); "B/O Sunita" into ("", "bo", "Sunita").

    Returns (name part, relation code or None, relative's name or None), each stripped.
    """
    text = clean_text(text)
    found = _RELATION_RE.search(text) if _may_have_relation(text) else None
    if not found:
        return text.strip(), None, None
    code = (found.group(1).lower() + "o") if found.group(1) else _RELATION_WORDS[found.group(2).lower()]
    name, relative = text[: found.start()].strip(" ,;-"), text[found.end():].strip(" ,;-")
    return name, code, relative or None


@lru_cache(maxsize=65536)
def normalize_name(text: str | None) -> NormalizedName:
    """Fold a name as written into a ``NormalizedName``; never raises, "" gives no tokens.

    Cached: a hospital's million patients share far fewer distinct names, and imports call this per row.
    """
    text, twin = _take_twin(clean_text(text))
    name, relation, relative = split_relation(text)
    baby_of = relation == "bo"
    if baby_of and not name:
        # "B/O Sunita W/o Ramesh": the baby is known by its mother's name; her own relative is extra.
        name, _, _ = split_relation(relative)
        relative = name or relative
    tokens = list(_name_tokens(name))
    if baby_of:
        tokens.insert(0, "bo")
    initials = tuple(t for t in tokens if len(t) == 1)
    return NormalizedName(tuple(tokens), initials, baby_of, twin, relation, relative)


@dataclass(frozen=True)
class NameParts:
    """The roles of a name's folded tokens, for comparing two people rather than searching.

    ``given`` are the names that tell family members apart, ``surname`` the one a household shares.
    Which written token is the surname is a guess (the last full word); record matching aligns tokens by
    content, so "Sharma Sunita" still meets "Sunita Sharma". Initials stay apart because they cannot say
    which name they stand for ("R. K. Sharma"), and generic first words (Mohd, Syed, Shaikh) are dropped
    because nearly every man of a community carries them ("Mohd Salim" and "Mohd Irfan" share nothing).
    """

    given: tuple[str, ...] = ()
    surname: str | None = None
    initials: tuple[str, ...] = ()
    baby_of: bool = False
    twin: str | None = None

    @property
    def full(self) -> tuple[str, ...]:
        """Given names and surname, in written order."""
        return self.given + ((self.surname,) if self.surname else ())

    @property
    def first(self) -> str | None:
        """The given name people are called by: the first full given token, else the first initial."""
        if self.given:
            return self.given[0]
        return self.initials[0] if self.initials else None


# Folded first words that nearly every man of a community carries; they say nothing about the person.
GENERIC_PREFIXES = frozenset({"mohammad", "syed", "saikh"})


@lru_cache(maxsize=65536)
def name_parts(text: str | None) -> NameParts:
    """Split a written name into given names, surname and initials (see ``NameParts``); never raises.

    "B/O Sunita Devi" gives the mother's name as ``given`` with ``baby_of`` set: a newborn is known by it.
    """
    normalized = normalize_name(text)
    core = [t for t in normalized.core if t != "bo" or not normalized.baby_of]
    full = [t for t in core if len(t) > 1]
    while len(full) > 1 and full[0] in GENERIC_PREFIXES:
        full.pop(0)
    initials = tuple(t for t in core if len(t) == 1)
    if len(full) >= 2:
        return NameParts(tuple(full[:-1]), full[-1], initials, normalized.baby_of, normalized.twin)
    return NameParts(tuple(full), None, initials, normalized.baby_of, normalized.twin)


def name_key(text: str | None) -> str:
    """Shorthand for ``normalize_name(text).key``."""
    return normalize_name(text).key


def sound_key(text: str | None) -> str:
    """The sound-alike key of a whole name: phonetic keys of the core tokens."""
    return " ".join(phonetic_key(t) for t in normalize_name(text).core)


def query_tokens(text: str | None) -> list[str]:
    """Folded tokens of a search query, with titles and (if anything else is left) fillers removed.

    A query may end in half a word, which is folded like a stored name so that the prefix stays
    comparable ("Laksh" -> "lax" finds "Laxmi"), with two differences: it is never split into
    initials ("Tr" is the start of "Tripathi", not T. R.), and a half-typed Kumar/Devi ("Kuma") is
    dropped like a whole one when other words are there (as a prefix it would match most of the index).
    """
    tokens = list(normalize_name(text).tokens)
    last = _half_typed_word(text)
    if last and len(tokens) >= len(last) > 1 and all(len(t) == 1 for t in tokens[-len(last):]):
        tokens[-len(last):] = [fold_token(last)]
    core = [t for t in tokens if t not in FILLERS]
    if len(core) > 1 and len(core[-1]) >= _MIN_STEM and any(f.startswith(core[-1]) for f in FILLERS):
        core.pop()
    return core or tokens


def _half_typed_word(text: str | None) -> str | None:
    """The query's last word if the user may still be typing it (no space or dot after it)."""
    cleaned = clean_text(text)
    if not cleaned or not cleaned[-1].isalpha():
        return None
    words = _WORD_RE.findall(transliterate(cleaned))
    return words[-1].casefold() if words and cleaned.endswith(words[-1]) else None


# -- pieces ---------------------------------------------------------------------------------------

def _may_have_relation(text: str) -> bool:
    """Cheap test that lets the regex skip plain names (the import calls this a million times)."""
    if not text.isascii():
        return True
    lower = text.lower()
    return "/" in text or "\\" in text or "." in text or " of" in lower or lower.startswith("of")


def _take_twin(name: str) -> tuple[str, str | None]:
    if "(" not in name and "[" not in name and "twin" not in name.lower():
        return name, None
    found = _TWIN_RE.search(name)
    if not found:
        return name, None
    mark = (found.group(1) or found.group(2)).lower()
    return (name[: found.start()] + " " + name[found.end():]).strip(), _TWIN_ORDER.get(mark)


# Letters plus the combining vowel signs of Indic and Arabic scripts (which \w leaves out), so that
# "সুনীতা" or "சுனிதா" stays one word; an apostrophe inside a word joins it ("D'Souza").
_LETTER = r"(?:[^\W\d_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u0900-\u0dff])"
_WORD_RE = re.compile(_LETTER + r"+(?:['’]" + _LETTER + r"+)*")


def _name_tokens(name: str) -> list[str]:
    """Folded tokens of a name with leading titles dropped and initials split."""
    raw = _WORD_RE.findall(transliterate(name))
    while raw and raw[0].casefold().replace("’", "'") in HONORIFICS and len(raw) > 1:
        raw.pop(0)
    tokens: list[str] = []
    for word in raw:
        tokens.extend(_word_tokens(word))
    return [t for t in tokens if t]


@lru_cache(maxsize=65536)
def _word_tokens(word: str) -> tuple[str, ...]:
    """One written word as folded tokens: "RK" -> (r, k), "Rameshbhai" -> (ramesh, bhai)."""
    lower = word.casefold().replace("'", "").replace("’", "")
    lower = _strip_accents(lower)
    if lower in _VARIANTS:
        return (_VARIANTS[lower],)
    if 2 <= len(lower) <= 3 and lower.isascii() and not (set(lower) & _VOWELS):
        return tuple(lower)  # "RK", "MKS": initials written without dots
    for suffix in _ATTACHED_FILLERS:
        if lower.endswith(suffix) and len(lower) - len(suffix) >= _MIN_STEM:
            return (fold_token(lower[: -len(suffix)]), suffix)
    return (fold_token(lower),)


@lru_cache(maxsize=65536)
def fold_token(token: str) -> str:
    """Fold one lower-case word so that common romanisations of one name coincide.

    Suneeta -> sunita, Lakshmi/Laxmi -> laxmi, Vishwanath -> visvanat... (see ``_FOLDS``); also
    the fixed variants of ``_VARIANT_GROUPS`` (Mohd/Md/Mohammed -> mohammad).
    """
    token = _strip_accents(token.casefold())
    if token in _VARIANTS:
        return _VARIANTS[token]
    for old, new in _FOLDS:
        token = token.replace(old, new)
    return _VARIANTS.get(token, token)


@lru_cache(maxsize=65536)
def phonetic_key(token: str) -> str:
    """A sound-alike key for one folded token: first sound kept, later vowels dropped.

    Built left to right, so the key of a prefix is (nearly always) a prefix of the word's key, which
    lets type-ahead search by prefix in sound-alike mode. m and n stay apart (Sunita is not Sumita).
    """
    token = fold_token(token)
    if not token or not token.isascii():
        return token
    for old, new in _PHONETIC:
        token = token.replace(old, new)
    first = "a" if token[0] in _VOWELS else token[0]
    rest = [ch for ch in token[1:] if ch not in _VOWELS]
    out = [first]
    for ch in rest:
        if ch != out[-1]:
            out.append(ch)
    if len(out) > 1 and out[-1] == "h":
        out.pop()  # "Shah"/"Sha", "Singh"/"Sing": a final h is not sounded
    return "".join(out)


def _strip_accents(text: str) -> str:
    """Remove accents from Latin letters only; combining marks of Indic scripts carry vowels."""
    if text.isascii():
        return text
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


# -- Devanagari -----------------------------------------------------------------------------------
# A small ITRANS-like transliteration, so that a name typed in Hindi meets its Latin spelling after
# folding (सुनीता -> sunitaa -> sunita, लक्ष्मी -> lakshmii -> laxmi). Word-final inherent "a" is dropped
# (राम -> ram), which is how Hindi names are romanised.

_DEV_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "sh",
    "ष": "sh", "स": "s", "ह": "h", "ळ": "l", "क़": "q", "ख़": "kh", "ग़": "g", "ज़": "z", "ड़": "r", "ढ़": "rh",
    "फ़": "f", "य़": "y",
}
_DEV_VOWELS = {"अ": "a", "आ": "aa", "इ": "i", "ई": "ii", "उ": "u", "ऊ": "uu", "ऋ": "ri", "ए": "e", "ऐ": "ai",
               "ओ": "o", "औ": "au", "ऍ": "e", "ऑ": "o"}
_DEV_MATRAS = {"ा": "aa", "ि": "i", "ी": "ii", "ु": "u", "ू": "uu", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o",
               "ौ": "au", "ॅ": "e", "ॉ": "o"}
_DEV_SIGNS = {"ं": "n", "ँ": "n", "ः": "h"}
_VIRAMA, _NUKTA = "्", "़"
_DEVANAGARI = re.compile(r"[\u0900-\u097F]+")


def transliterate(text: str) -> str:
    """Latin spelling of the Devanagari runs in ``text``; other text is returned as it is."""
    if text.isascii() or not _DEVANAGARI.search(text):
        return text
    return _DEVANAGARI.sub(lambda m: _devanagari_word(m.group(0)), text)


def _devanagari_word(word: str) -> str:
    word = unicodedata.normalize("NFC", word)
    out: list[str] = []
    pending_a = False  # a consonant was written and still carries its inherent "a"
    i = 0
    while i < len(word):
        ch = word[i]
        if i + 1 < len(word) and word[i + 1] == _NUKTA and ch + _NUKTA in _DEV_CONSONANTS:
            ch, i = ch + _NUKTA, i + 1
        if ch in _DEV_CONSONANTS:
            if pending_a:
                out.append("a")
            out.append(_DEV_CONSONANTS[ch])
            pending_a = True
        elif ch in _DEV_MATRAS:
            out.append(_DEV_MATRAS[ch])
            pending_a = False
        elif ch == _VIRAMA:
            pending_a = False
        else:
            if pending_a and ch in _DEV_SIGNS:
                out.append("a")
            pending_a = False
            out.append(_DEV_VOWELS.get(ch) or _DEV_SIGNS.get(ch) or (" " if ch in "।॥" else ""))
        i += 1
    # A final inherent "a" is silent in Hindi names (राम = Ram), unless the word is one letter.
    if pending_a and len(out) == 1:
        out.append("a")
    return "".join(out)


def _build_variants() -> dict[str, str]:
    variants: dict[str, str] = {}
    for group in _VARIANT_GROUPS:
        canonical = _fold_letters(group[0])
        for spelling in group:
            variants[spelling] = canonical
            variants[_fold_letters(spelling)] = canonical
    return variants


def _fold_letters(token: str) -> str:
    for old, new in _FOLDS:
        token = token.replace(old, new)
    return token


_VARIANTS = _build_variants()
