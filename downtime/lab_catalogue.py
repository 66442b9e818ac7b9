"""The lab test catalogue: what a ward can order, on which sample, and what each result is measured against.

A test that a ward orders (``LabTest``: CBC, KFT, random blood sugar) is one or more
measured values (``Analyte``: haemoglobin, creatinine), each with a LOINC code, a unit, a
reference range and, where the lab phones the ward at once, critical limits.

The snapshot's catalogue is used when the HMIS export carried one (a ``lab_catalogue``
table, one row per analyte, see ``from_snapshot``); otherwise the built-in starter list
below. The ranges are common adult ranges from Indian hospital labs; a site's own
analysers differ a little, which is why the lab can overwrite the range on each result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import sqlite_utils

from downtime.patient_index import has_table, query_dicts
from downtime.viewer import reference_range_text, result_flag


@dataclass(frozen=True)
class Analyte:
    name: str
    name_hi: str
    loinc: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    # Sex-specific ranges replace (low, high) for that sex, e.g. haemoglobin.
    female: tuple[float | None, float | None] | None = None
    critical_low: float | None = None
    critical_high: float | None = None
    expected: str = ""  # the normal answer of a qualitative test ("Negative", "No growth")

    def range_for(self, sex: str | None) -> tuple[float | None, float | None]:
        """The range for this sex; with the sex unknown, only what is out of range for both is flagged."""
        if not self.female or sex == "male":
            return self.low, self.high
        if sex == "female":
            return self.female
        return _outer(self.low, self.female[0], min), _outer(self.high, self.female[1], max)

    def reference_range(self, sex: str | None) -> str:
        if self.expected:
            return self.expected
        if self.female and sex not in ("male", "female"):
            return f"M {_text(self.low, self.high)}, F {_text(*self.female)}"
        return _text(*self.range_for(sex))


def _outer(a: float | None, b: float | None, pick: Callable[[float, float], float]) -> float | None:
    return pick(a, b) if a is not None and b is not None else None


def _text(low: float | None, high: float | None) -> str:
    return reference_range_text(low, high, None, None) or ""


@dataclass(frozen=True)
class LabTest:
    code: str  # what wards call it: CBC, KFT
    name: str
    name_hi: str
    loinc: str
    sample_type: str  # a value of lab.request's sample_type choice
    container: str  # the tube or pot: tests in the same one share a sample and an accession number
    analytes: tuple[Analyte, ...] = field(default_factory=tuple)
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How a request lists the test: the ward's short code first, e.g. "KFT - Kidney function test"."""
        return self.name if self.code.casefold() == self.name.casefold() else f"{self.code} - {self.name}"

    def label_for(self, lang: str) -> str:
        return f"{self.code} - {self.name_hi}" if lang == "hi" else self.label


@dataclass(frozen=True)
class Assessment:
    flag: str | None  # a value of lab.result's flag choice; None when it cannot be judged
    reference_range: str

    @property
    def abnormal(self) -> bool:
        return self.flag not in (None, "normal")


# ---- the built-in starter list ----------------------------------------------------------------

def _single(code: str, name: str, name_hi: str, loinc: str, sample: str, container: str, unit: str = "",
            low: float | None = None, high: float | None = None, *, expected: str = "",
            critical: tuple[float | None, float | None] = (None, None), aliases: tuple[str, ...] = ()) -> LabTest:
    """A test that is one measured value, such as serum calcium."""
    analyte = Analyte(name, name_hi, loinc, unit, low, high, critical_low=critical[0], critical_high=critical[1],
                      expected=expected)
    return LabTest(code, name, name_hi, loinc, sample, container, (analyte,), aliases)


EDTA = "EDTA tube, lavender top"
PLAIN = "Plain or gel tube, red or yellow top"
FLUORIDE = "Fluoride tube, grey top"
CITRATE = "Citrate tube, blue top"
URINE_POT = "Sterile urine container"
CULTURE = "Blood culture bottle"
SPUTUM_POT = "Sputum container"

STARTER: tuple[LabTest, ...] = (
    LabTest("CBC", "Complete blood count", "पूरा ब्लड काउंट (हीमोग्राम)", "58410-2", "blood", EDTA, (
        Analyte("Haemoglobin", "हीमोग्लोबिन", "718-7", "g/dL", 13.0, 17.0, female=(12.0, 15.0),
                critical_low=7.0, critical_high=20.0),
        Analyte("Total leucocyte count (TLC)", "कुल श्वेत रक्त कोशिका (TLC)", "6690-2", "10^3/µL", 4.0, 11.0,
                critical_low=2.0, critical_high=30.0),
        Analyte("Neutrophils", "न्यूट्रोफिल", "770-8", "%", 40, 80),
        Analyte("Lymphocytes", "लिम्फोसाइट", "736-9", "%", 20, 40),
        Analyte("Platelet count", "प्लेटलेट", "777-3", "10^3/µL", 150, 410, critical_low=20, critical_high=1000),
        Analyte("Haematocrit (PCV)", "हीमेटोक्रिट (PCV)", "4544-3", "%", 40, 50, female=(36, 46)),
        Analyte("RBC count", "लाल रक्त कोशिका", "789-8", "10^6/µL", 4.5, 5.5, female=(3.8, 4.8)),
        Analyte("MCV", "MCV", "787-2", "fL", 83, 101),
    ), aliases=("hemogram", "haemogram", "cbp")),
    _single("ESR", "ESR", "ईएसआर", "4537-7", "blood", EDTA, "mm/h", 0, 20),
    _single("HbA1c", "HbA1c (glycated haemoglobin)", "एचबीए1सी", "4548-4", "blood", EDTA, "%", 4.0, 5.6),
    _single("BG", "Blood group and Rh type", "ब्लड ग्रुप और Rh", "882-1", "blood", EDTA,
            aliases=("abo", "grouping")),
    _single("RBS", "Blood sugar (random)", "ब्लड शुगर (रैंडम)", "2345-7", "plasma", FLUORIDE, "mg/dL", 70, 140,
            critical=(50, 400), aliases=("glucose random", "sugar random")),
    _single("FBS", "Blood sugar (fasting)", "ब्लड शुगर (खाली पेट)", "1558-6", "plasma", FLUORIDE, "mg/dL", 70, 100,
            critical=(50, 400), aliases=("glucose fasting", "sugar fasting")),
    _single("PPBS", "Blood sugar (2 hours after meal)", "ब्लड शुगर (खाने के 2 घंटे बाद)", "1521-4", "plasma",
            FLUORIDE, "mg/dL", 70, 140, critical=(50, 400), aliases=("pp sugar", "post prandial")),
    LabTest("KFT", "Kidney function test", "गुर्दे की जाँच", "24362-6", "serum", PLAIN, (
        Analyte("Blood urea", "ब्लड यूरिया", "3091-6", "mg/dL", 17, 43),
        Analyte("Serum creatinine", "सीरम क्रिएटिनिन", "2160-0", "mg/dL", 0.7, 1.3, female=(0.6, 1.1),
                critical_high=10.0),
        Analyte("Serum uric acid", "सीरम यूरिक एसिड", "3084-1", "mg/dL", 3.5, 7.2, female=(2.6, 6.0)),
        Analyte("Sodium", "सोडियम", "2951-2", "mmol/L", 135, 145, critical_low=120, critical_high=160),
        Analyte("Potassium", "पोटैशियम", "2823-3", "mmol/L", 3.5, 5.1, critical_low=2.8, critical_high=6.2),
        Analyte("Chloride", "क्लोराइड", "2075-0", "mmol/L", 98, 107),
    ), aliases=("rft", "renal function")),
    LabTest("LFT", "Liver function test", "लिवर की जाँच", "24325-3", "serum", PLAIN, (
        Analyte("Bilirubin (total)", "बिलीरुबिन (कुल)", "1975-2", "mg/dL", 0.3, 1.2, critical_high=15),
        Analyte("Bilirubin (direct)", "बिलीरुबिन (डायरेक्ट)", "1968-7", "mg/dL", 0.0, 0.3),
        Analyte("AST (SGOT)", "एसजीओटी (AST)", "1920-8", "U/L", 0, 40),
        Analyte("ALT (SGPT)", "एसजीपीटी (ALT)", "1742-6", "U/L", 0, 41),
        Analyte("Alkaline phosphatase", "एल्कलाइन फॉस्फेटेज़", "6768-6", "U/L", 40, 129),
        Analyte("Total protein", "कुल प्रोटीन", "2885-2", "g/dL", 6.4, 8.3),
        Analyte("Albumin", "एल्ब्यूमिन", "1751-7", "g/dL", 3.5, 5.2),
    )),
    LabTest("ELEC", "Serum electrolytes", "सीरम इलेक्ट्रोलाइट", "24326-1", "serum", PLAIN, (
        Analyte("Sodium", "सोडियम", "2951-2", "mmol/L", 135, 145, critical_low=120, critical_high=160),
        Analyte("Potassium", "पोटैशियम", "2823-3", "mmol/L", 3.5, 5.1, critical_low=2.8, critical_high=6.2),
        Analyte("Chloride", "क्लोराइड", "2075-0", "mmol/L", 98, 107),
    ), aliases=("electrolytes", "na k", "s. electrolytes")),
    LabTest("LIPID", "Lipid profile", "लिपिड प्रोफ़ाइल", "24331-1", "serum", PLAIN, (
        Analyte("Total cholesterol", "कुल कोलेस्ट्रॉल", "2093-3", "mg/dL", None, 200),
        Analyte("Triglycerides", "ट्राइग्लिसराइड", "2571-8", "mg/dL", None, 150),
        Analyte("HDL cholesterol", "एचडीएल कोलेस्ट्रॉल", "2085-9", "mg/dL", 40, None),
        Analyte("LDL cholesterol (calculated)", "एलडीएल कोलेस्ट्रॉल", "13457-7", "mg/dL", None, 100),
    )),
    LabTest("TFT", "Thyroid profile", "थायरॉइड की जाँच", "3016-3", "serum", PLAIN, (
        Analyte("TSH", "टीएसएच", "3016-3", "mIU/L", 0.27, 4.2),
        Analyte("Free T4", "फ़्री T4", "3024-7", "ng/dL", 0.93, 1.7),
    ), aliases=("thyroid", "tsh")),
    _single("CA", "Serum calcium", "सीरम कैल्शियम", "17861-6", "serum", PLAIN, "mg/dL", 8.6, 10.2,
            critical=(6.5, 13.0)),
    _single("MG", "Serum magnesium", "सीरम मैग्नीशियम", "19123-9", "serum", PLAIN, "mg/dL", 1.6, 2.6),
    _single("CRP", "C-reactive protein", "सी-रिएक्टिव प्रोटीन", "1988-5", "serum", PLAIN, "mg/L", 0, 5),
    _single("AMY", "Serum amylase", "सीरम एमाइलेज़", "1798-8", "serum", PLAIN, "U/L", 28, 100),
    _single("LIP", "Serum lipase", "सीरम लाइपेज़", "3040-3", "serum", PLAIN, "U/L", 13, 60),
    _single("TROP", "Troponin I", "ट्रोपोनिन I", "10839-9", "serum", PLAIN, "ng/mL", None, 0.04),
    _single("NS1", "Dengue NS1 antigen", "डेंगू NS1 एंटीजन", "75377-2", "serum", PLAIN, expected="Negative",
            aliases=("dengue",)),
    _single("HBSAG", "HBsAg (hepatitis B)", "एचबीएसएजी (हेपेटाइटिस बी)", "5196-1", "serum", PLAIN,
            expected="Non-reactive"),
    _single("HCV", "Anti-HCV (hepatitis C)", "एंटी-एचसीवी (हेपेटाइटिस सी)", "16128-1", "serum", PLAIN,
            expected="Non-reactive"),
    LabTest("COAG", "PT / INR", "पीटी / आईएनआर", "5902-2", "plasma", CITRATE, (
        Analyte("Prothrombin time", "प्रोथ्रोम्बिन टाइम", "5902-2", "s", 11, 13.5),
        Analyte("INR", "आईएनआर", "6301-6", "", 0.8, 1.2, critical_high=5.0),
    ), aliases=("pt", "inr", "prothrombin")),
    _single("APTT", "aPTT", "एपीटीटी", "3173-2", "plasma", CITRATE, "s", 25, 35),
    _single("MP", "Malaria parasite (smear)", "मलेरिया परजीवी (स्मीयर)", "32700-7", "blood", EDTA,
            expected="Not seen", aliases=("malaria",)),
    _single("URINE", "Urine routine and microscopy", "पेशाब की सामान्य जाँच", "24356-8", "urine", URINE_POT,
            expected="Within normal limits", aliases=("urine r/m", "urine re")),
    _single("UCS", "Urine culture", "पेशाब का कल्चर", "630-4", "urine", URINE_POT, expected="No growth"),
    _single("BCS", "Blood culture", "ब्लड कल्चर", "600-7", "blood", CULTURE, expected="No growth"),
    _single("AFB", "Sputum AFB (acid-fast stain)", "बलगम की जाँच (AFB)", "11545-1", "sputum", SPUTUM_POT,
            expected="Not seen", aliases=("sputum afb", "zn stain")),
)


# ---- the catalogue ------------------------------------------------------------------------------

class Catalogue:
    """Tests by what a ward may type or a request lists: code, name, label, LOINC or an alias."""

    def __init__(self, tests: Iterable[LabTest], source: str):
        self.tests = tuple(tests)
        self.source = source  # "snapshot" or "built-in", shown on the screen
        self._index: dict[str, LabTest] = {}
        for test in self.tests:
            for key in (test.code, test.name, test.label, test.loinc, *test.aliases):
                self._index.setdefault(_key(key), test)

    def find(self, text: str) -> LabTest | None:
        """The test a request line names, or None for a test typed freely."""
        return self._index.get(_key(text)) or self._index.get(_key(re.sub(r"\s*\([^)]*\)\s*$", "", text)))

    def search(self, text: str, lang: str = "en") -> list[LabTest]:
        """Tests whose code, name, Hindi name or alias contains every word typed, codes that start with it first."""
        words = _key(text).split()
        hits = [t for t in self.tests
                if all(w in _key(" ".join((t.code, t.name, t.name_hi, *t.aliases))) for w in words)]
        return sorted(hits, key=lambda t: (not _key(t.code).startswith(_key(text)), t.label_for(lang).casefold()))


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w/+]+", " ", text.casefold()).split())


_BUILT_IN = Catalogue(STARTER, "built-in")


def catalogue(snapshot: sqlite_utils.Database | None) -> Catalogue:
    """The snapshot's catalogue if the HMIS export had one, else the built-in starter list."""
    if snapshot is not None and has_table(snapshot, "lab_catalogue"):
        tests = from_snapshot(snapshot)
        if tests:
            return Catalogue(tests, "snapshot")
    return _BUILT_IN


def from_snapshot(db: sqlite_utils.Database) -> list[LabTest]:
    """Tests from a ``lab_catalogue`` table: one row per analyte, grouped into tests by ``test_code``.

    Columns: test_code, test_name, test_name_hi, test_loinc, sample_type, container, analyte, analyte_hi,
    loinc, unit, low, high, female_low, female_high, critical_low, critical_high, expected.
    """
    rows = query_dicts(db, "SELECT * FROM lab_catalogue ORDER BY rowid")
    grouped: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        grouped.setdefault(str(row["test_code"]), []).append(row)
    return [_test_from_rows(code, group) for code, group in grouped.items()]


def _test_from_rows(code: str, rows: Sequence[dict[str, object]]) -> LabTest:
    first = rows[0]

    def num(row: dict[str, object], key: str) -> float | None:
        value = row.get(key)
        return float(value) if value not in (None, "") else None  # type: ignore[arg-type]

    analytes = tuple(Analyte(
        name=str(r["analyte"]), name_hi=str(r.get("analyte_hi") or r["analyte"]), loinc=str(r.get("loinc") or ""),
        unit=str(r.get("unit") or ""), low=num(r, "low"), high=num(r, "high"),
        female=(num(r, "female_low"), num(r, "female_high")) if r.get("female_low") or r.get("female_high") else None,
        critical_low=num(r, "critical_low"), critical_high=num(r, "critical_high"),
        expected=str(r.get("expected") or "")) for r in rows)
    return LabTest(code, str(first["test_name"]), str(first.get("test_name_hi") or first["test_name"]),
                   str(first.get("test_loinc") or ""), str(first.get("sample_type") or "other"),
                   str(first.get("container") or first.get("sample_type") or ""), analytes)


# ---- judging a result ---------------------------------------------------------------------------

_NUMBER = re.compile(r"^\s*[<>≤≥]?\s*(-?\d+(?:\.\d+)?)\s*$")


def assess(analyte: Analyte, value: str, sex: str | None, reference_range: str | None = None) -> Assessment:
    """Flag a typed result: critical, high or low against the analyte's range, or abnormal for a
    qualitative answer other than the expected one. A range the lab typed over the catalogue's wins."""
    given = (reference_range or "").strip()
    shown = given or analyte.reference_range(sex)
    text = value.strip()
    if not text:
        return Assessment(None, shown)
    if analyte.expected and not given:
        return Assessment("normal" if _key(text) == _key(analyte.expected) else "abnormal", shown)
    number = parse_number(text)
    low, high = parse_range(given) if given else analyte.range_for(sex)
    if number is None:
        return Assessment(None, shown)
    if (analyte.critical_low is not None and number < analyte.critical_low) or \
            (analyte.critical_high is not None and number > analyte.critical_high):
        return Assessment("critical", shown)
    flag = result_flag(None, number, low, high)
    return Assessment({"H": "high", "L": "low", "N": "normal"}.get(flag or ""), shown)


def parse_number(text: str) -> float | None:
    """The number a typed result is ("7.5", "< 0.5"); None for words ("Positive")."""
    match = _NUMBER.match(text)
    return float(match.group(1)) if match else None


def parse_range(text: str) -> tuple[float | None, float | None]:
    """ "12-15", "12.0 – 15.0 g/dL", "< 200", "≥ 40" as (low, high); (None, None) if it is not numeric."""
    numbers = re.findall(r"-?\d+(?:\.\d+)?", text.replace("–", " - "))
    bound = text.strip()[:1]
    if len(numbers) >= 2:
        low, high = float(numbers[0]), float(numbers[1].lstrip("-"))
        return low, high
    if len(numbers) == 1:
        if bound in "<≤":
            return None, float(numbers[0])
        if bound in ">≥":
            return float(numbers[0]), None
    return None, None
