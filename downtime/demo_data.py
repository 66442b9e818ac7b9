"""A synthetic HMIS export (FHIR R4 Bulk NDJSON) that looks like an Indian hospital's.

Used by ``make demo``, the tests and the benchmarks. Everything is made up and deterministic for a
given seed. The data is shaped to exercise what real registers do to search and matching:

* names from several regions and religions (Hindi belt, Punjabi, Bengali, Tamil, Marathi, Muslim,
  Malayali Christian), written with titles, initials ("R. K. Sharma", Tamil "S. Murugan"),
  Kumar/Devi/Kaur, and several spellings of one name (Sunita/Suneeta, Mohd/Mohammed);
* households sharing surname, phone and address, with twins, and elderly people known only by age
  (birthDate holds just the year);
* in-patients in wards and beds, newborns as "B/O <mother>", allergies, active medications and lab
  results with LOINC codes and reference ranges; some records are deliberately outside the snapshot's
  window (finished encounters, stopped drugs, results older than 30 days) so import filters are tested.

Lines are written with ``json.dumps`` from plain dicts: a million patients take well under a minute.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO, TypeVar

T = TypeVar("T")
DEFAULT_AS_OF = dt.datetime(2025, 1, 15, 6, 0, tzinfo=dt.UTC)
UHID_SYSTEM = "https://hmis.demo-hospital.in/fhir/uhid"
ABHA_SYSTEM = "https://healthid.abdm.gov.in"
IP_SYSTEM = "https://hmis.demo-hospital.in/fhir/ip-number"
LOINC = "http://loinc.org"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
LINES_PER_FILE = 500_000  # Bulk servers split big outputs into several files of one type

# -- names by region ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    name: str
    weight: int
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    places: tuple[tuple[str, str, str, str], ...]  # (locality, city/district, state, PIN prefix)
    male_middle: tuple[str, ...] = ("",)           # e.g. "Kumar", "Singh"
    female_last: tuple[str, ...] = ()              # e.g. "Devi", "Kaur": often replaces the surname
    initial_first: bool = False                    # Tamil style: father's initial, then the given name


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


REGIONS = (
    Region("hindi", 40,
           _t("Ramesh Suresh Rajesh Mahesh Dinesh Rakesh Mukesh Anil Sunil Vijay Ajay Sanjay Manoj Pankaj Ravi "
              "Amit Sumit Rohit Deepak Ashok Vinod Pramod Santosh Shyam Govind Lakhan Ramkishan Brijesh Arvind "
              "Naresh Umesh Yogesh Satish Harish Jitendra Virendra Surendra Ramesh Rajendra Shivam Ankit"),
           _t("Sunita Suneeta Anita Geeta Seema Rekha Pooja Puja Priya Neha Kavita Savita Lakshmi Laxmi Kamla "
              "Kamala Shanti Usha Asha Meena Radha Sarita Poonam Rani Sushma Manju Anju Sumita Urmila Pushpa "
              "Mamta Guddi Kiran Sangeeta Sangita Babita Reeta Rita Suman Nirmala Shakuntala Sita Seeta"),
           _t("Sharma Verma Gupta Yadav Singh Kumar Mishra Tiwari Pandey Chauhan Prasad Srivastava Shrivastava "
              "Maurya Kushwaha Jha Rajput Meena Jatav Paswan Chaudhary Choudhary Saxena Agarwal Tripathi Dubey"),
           (("Sector 4, R K Puram", "New Delhi", "Delhi", "1100"), ("Laxmi Nagar", "East Delhi", "Delhi", "1100"),
            ("Gomti Nagar", "Lucknow", "Uttar Pradesh", "2260"), ("Kankarbagh", "Patna", "Bihar", "8000"),
            ("Arera Colony", "Bhopal", "Madhya Pradesh", "4620"), ("Village Rampur, Tehsil Sadar", "Bulandshahr",
             "Uttar Pradesh", "2030"), ("Sanganer", "Jaipur", "Rajasthan", "3020"),
            ("Sector 15", "Faridabad", "Haryana", "1210")),
           male_middle=("", "", "", "Kumar", "Prasad", "Singh"), female_last=("Devi", "Kumari")),
    Region("punjabi", 8,
           _t("Gurpreet Harpreet Manpreet Jaspreet Kuldeep Balwinder Sukhwinder Paramjit Amarjeet Harjinder "
              "Gurdeep Jasbir Harbhajan Lakhwinder Rajinder Inderjit"),
           _t("Gurpreet Harpreet Manpreet Jaspreet Simranjeet Kuldeep Paramjit Amarjeet Harjinder Rajwinder "
              "Sukhjit Navneet Jasleen Baljeet"),
           _t("Gill Sandhu Dhillon Grewal Sidhu Bajwa Randhawa Arora Malhotra Kapoor Khanna Bedi Ahluwalia Sethi"),
           (("Model Town", "Ludhiana", "Punjab", "1410"), ("Ranjit Avenue", "Amritsar", "Punjab", "1430"),
            ("Rajouri Garden", "West Delhi", "Delhi", "1100")),
           male_middle=("Singh", "Singh", ""), female_last=("Kaur",)),
    Region("bengali", 10,
           _t("Subhash Sourav Arindam Debasish Partha Tapas Biswajit Bikash Abhijit Sanjib Pradip Tapan Sujit "
              "Goutam Amitava Sandip"),
           _t("Moumita Sumita Rina Mitali Sharmila Tanushree Papiya Soma Rupa Anindita Sutapa Chandana Mousumi "
              "Jayashree Mithu"),
           _t("Chatterjee Banerjee Mukherjee Bose Ghosh Das Dutta Sen Roy Chakraborty Bhattacharya Mondal Saha "
              "Biswas Sarkar Pal"),
           (("Salt Lake Sector 2", "Kolkata", "West Bengal", "7000"), ("Behala", "Kolkata", "West Bengal", "7000"),
            ("Chinsurah", "Hooghly", "West Bengal", "7121"))),
    Region("tamil", 8,
           _t("Murugan Karthik Senthil Saravanan Ganesan Ramasamy Arumugam Velu Selvam Prakash Balaji Kannan "
              "Subramanian Venkatesan"),
           _t("Lakshmi Meenakshi Kavitha Sunitha Revathi Priya Anitha Saranya Valli Kalaiselvi Malathi Deepa "
              "Gomathi Vijaya"),
           _t("Murugan Ganesan Ramasamy Arumugam Subramanian Venkatesan Krishnan Natarajan Raman Pillai"),
           (("Anna Nagar", "Chennai", "Tamil Nadu", "6000"), ("Gandhipuram", "Coimbatore", "Tamil Nadu", "6410")),
           initial_first=True),
    Region("muslim", 16,
           _t("Mohd_Salim Mohammad_Irfan Md_Arif Mohammed_Rafiq Abdul_Karim Imran Shahid Javed Aslam Naseem "
              "Mohd_Yusuf Muhammad_Ismail Abdul_Rehman Sajid Wasim Faizan Mohd_Shakeel Mohammad_Salim"),
           _t("Fatima Ayesha Shabana Nasreen Rukhsana Salma Parveen Shahnaz Zainab Nazia Farzana Reshma Shaheen "
              "Noor_Jahan Tabassum Afreen"),
           _t("Khan Ansari Qureshi Siddiqui Shaikh Sheikh Syed Sayyed Ahmed Ali Mirza Pathan Khan Malik Rizvi"),
           (("Jamia Nagar, Okhla", "South Delhi", "Delhi", "1100"), ("Aminabad", "Lucknow", "Uttar Pradesh", "2260"),
            ("Old City", "Hyderabad", "Telangana", "5000"), ("Mominpura", "Nagpur", "Maharashtra", "4400")),
           female_last=("Begum", "Khatoon", "Bano")),
    Region("marathi", 8,
           _t("Sachin Rahul Ganesh Santosh Sandeep Prashant Nitin Vijay Dattatray Mahadev Sunil Vishwanath"),
           _t("Sunita Vaishali Swati Ashwini Manisha Jyoti Sarika Pallavi Sunanda Shobha Vandana Sangita"),
           _t("Patil Deshmukh Jadhav Pawar Kulkarni Shinde More Gaikwad Joshi Kale Chavan Deshpande"),
           (("Kothrud", "Pune", "Maharashtra", "4110"), ("Dadar West", "Mumbai", "Maharashtra", "4000"))),
    Region("malayali", 4,
           _t("Thomas Joseph George Mathew Jacob Varghese Biju Shaji Anil Rajan Suresh"),
           _t("Mary Annamma Elizabeth Susan Mini Bindu Sheeba Lissy Jessy Sreeja"),
           _t("Thomas Joseph Nair Menon Pillai Kurian Varghese Mathew Abraham"),
           (("Kadavanthra", "Ernakulam", "Kerala", "6820"), ("Pattom", "Thiruvananthapuram", "Kerala", "6950"))),
    Region("gujarati", 6,
           _t("Rameshbhai Jayeshbhai Hiteshbhai Bharat Mahendra Dilip Kirit Paresh Nilesh Ketan"),
           _t("Hansaben Jyotiben Manjulaben Bhavna Nisha Komal Hetal Daksha Kokila Rekha"),
           _t("Patel Shah Desai Mehta Parmar Solanki Chauhan Joshi Trivedi Modi"),
           (("Maninagar", "Ahmedabad", "Gujarat", "3800"), ("Adajan", "Surat", "Gujarat", "3950"))),
)
_REGION_WEIGHTS = tuple(r.weight for r in REGIONS)

# (department, bed prefix, share of in-patients, beds per unit, ward names start at)
_WARDS = (
    ("Medicine Ward", "M", 0.32, 40, 7), ("Surgery Ward", "S", 0.18, 40, 3), ("Orthopaedics Ward", "OR", 0.08, 30, 2),
    ("Paediatrics Ward", "P", 0.09, 30, 1), ("Maternity Ward", "MAT", 0.12, 30, 1), ("NICU", "NICU", 0.05, 20, 1),
    ("ICU", "ICU", 0.06, 16, 1), ("Cardiology CCU", "CCU", 0.04, 16, 1), ("Nephrology Ward", "NEP", 0.06, 30, 1),
)
_DOCTORS = _t("Dr._Anil_Rao Dr._Meera_Iyer Dr._S._K._Gupta Dr._Farhan_Qureshi Dr._Neelam_Sharma Dr._P._Banerjee "
              "Dr._Harpreet_Sandhu Dr._R._Venkatesan")
_REASONS = ("Acute febrile illness", "Community acquired pneumonia", "Acute gastroenteritis with dehydration",
            "Uncontrolled type 2 diabetes mellitus", "Chronic kidney disease, for dialysis", "Dengue fever",
            "Acute appendicitis", "Fracture neck of femur", "Road traffic accident, head injury",
            "Acute coronary syndrome", "Tuberculosis, pulmonary", "Enteric fever", "Snake bite", "COPD exacerbation",
            "Cholelithiasis, for surgery", "Stroke, left hemiparesis", "Anaemia in pregnancy", "Term pregnancy in labour")

# (substance, SNOMED code, category, criticality, reaction)
_ALLERGENS = (
    ("Penicillin", "764146007", "medication", "high", "Anaphylaxis"),
    ("Sulfonamide", "387406002", "medication", "high", "Stevens-Johnson syndrome"),
    ("Aspirin", "387458008", "medication", "low", "Urticaria"),
    ("Diclofenac", "7034005", "medication", "low", "Rash"),
    ("Ceftriaxone", "372670001", "medication", "high", "Angioedema"),
    ("Iodinated contrast media", "293637006", "medication", "high", "Bronchospasm"),
    ("Peanut", "762952008", "food", "high", "Anaphylaxis"),
    ("Egg", "102263004", "food", "low", "Vomiting"),
    ("Latex", "111088007", "environment", "low", "Contact dermatitis"),
    ("House dust mite", "260147004", "environment", "low", "Rhinitis"),
)
_NO_KNOWN_ALLERGY = ("No known allergy", "716186003")

# (medication as written on an Indian drug chart, dosage text)
_MEDICATIONS = (
    ("Inj. Ceftriaxone 1 g", "1 g IV BD"), ("Tab. Paracetamol 650 mg", "650 mg PO TDS"),
    ("Inj. Pantoprazole 40 mg", "40 mg IV OD before breakfast"), ("Tab. Metformin 500 mg", "500 mg PO BD"),
    ("Tab. Amlodipine 5 mg", "5 mg PO OD"), ("Inj. Human Insulin Regular", "per sliding scale SC TDS"),
    ("Tab. Atorvastatin 20 mg", "20 mg PO HS"), ("Inj. Enoxaparin 40 mg", "40 mg SC OD"),
    ("Syp. Lactulose", "15 mL PO HS"), ("Inj. Ondansetron 4 mg", "4 mg IV SOS"),
    ("Inj. Furosemide 20 mg", "20 mg IV BD"), ("Tab. Aspirin 75 mg", "75 mg PO OD after food"),
    ("Inj. Metronidazole 500 mg", "500 mg IV TDS"), ("Tab. Levothyroxine 50 mcg", "50 mcg PO OD empty stomach"),
    ("Inj. Piperacillin-Tazobactam 4.5 g", "4.5 g IV 8-hourly"), ("Tab. Isoniazid 300 mg", "300 mg PO OD"),
    ("IV Normal Saline 0.9%", "1 L over 8 hours"), ("Tab. Ferrous sulphate + Folic acid", "1 tab PO OD"),
)
_BABY_MEDICATIONS = (("Inj. Vitamin K 1 mg", "1 mg IM once"), ("Inj. Ampicillin 50 mg/kg", "50 mg/kg IV 12-hourly"),
                     ("Inj. Gentamicin 5 mg/kg", "5 mg/kg IV OD"))

# (LOINC, name, unit, low, high, typical, spread); Hb has sex-specific ranges (see _lab_range)
_LABS = (
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12.0, 15.5, 12.5, 2.5),
    ("6690-2", "Leukocytes [#/volume] in Blood", "10*3/uL", 4.0, 11.0, 8.5, 4.0),
    ("777-3", "Platelets [#/volume] in Blood", "10*3/uL", 150.0, 410.0, 240.0, 90.0),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.7, 1.3, 1.1, 0.6),
    ("3091-6", "Urea [Mass/volume] in Serum or Plasma", "mg/dL", 15.0, 40.0, 32.0, 15.0),
    ("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 135.0, 145.0, 138.0, 5.0),
    ("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.5, 5.1, 4.2, 0.7),
    ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70.0, 140.0, 130.0, 55.0),
    ("1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", 0.3, 1.2, 0.9, 0.6),
    ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 7.0, 56.0,
     35.0, 25.0),
    ("1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", "mg/L", 0.0, 5.0, 6.0, 8.0),
    ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.0, 5.6, 6.5, 1.5),
)


@dataclass
class ExportSummary:
    """What ``generate_export`` wrote."""

    out_dir: Path
    as_of: dt.datetime
    files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Person:
    uhid: str
    name: str
    family: str | None
    given: list[str]
    prefix: str | None
    sex: str
    birth: str                 # full date, or just the year for people known only by age
    age: int
    relative: tuple[str, str] | None  # (FHIR role code, relative's name)
    household: _Household
    abha: str | None = None
    baby_of: bool = False


@dataclass
class _Household:
    region: Region
    surname: str
    phone: str
    line: str
    city: str
    state: str
    pincode: str

    @property
    def contact_json(self) -> str:
        """The telecom and address members every Patient of the household shares (built once)."""
        cached = self.__dict__.get("_contact_json")
        if cached is None:
            cached = json.dumps({
                "telecom": [{"system": "phone", "value": f"+91-{self.phone}", "use": "mobile"}],
                "address": [{"line": [self.line], "city": self.city, "district": self.city, "state": self.state,
                             "postalCode": self.pincode, "country": "IN"}]}, ensure_ascii=False,
                separators=(",", ":"))[1:-1]
            self.__dict__["_contact_json"] = cached
        return cached


# -- the generator ----------------------------------------------------------------------------------

class _Writer:
    """One resource type's NDJSON files, split every LINES_PER_FILE lines."""

    def __init__(self, out_dir: Path, resource_type: str, summary: ExportSummary):
        self.out_dir, self.resource_type, self.summary = out_dir, resource_type, summary
        self.count = 0
        self.fh: TextIO | None = None

    def write(self, resource: dict[str, Any]) -> None:
        self.write_line(json.dumps(resource, separators=(",", ":"), ensure_ascii=False))

    def write_line(self, line: str) -> None:
        if self.count % LINES_PER_FILE == 0:
            self._next_file()
        assert self.fh is not None
        self.fh.write(line)
        self.fh.write("\n")
        self.count += 1

    def _next_file(self) -> None:
        if self.fh:
            self.fh.close()
        path = self.out_dir / f"{self.resource_type}.{self.count // LINES_PER_FILE:03d}.ndjson"
        self.summary.files.append(path)
        self.fh = open(path, "w", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115 - closed by close()

    def close(self) -> None:
        if self.fh:
            self.fh.close()
        self.summary.counts[self.resource_type] = self.count


def generate_export(out_dir: Path | str, patients: int = 1000, inpatients: int = 100, seed: int = 1,
                    *, as_of: dt.datetime = DEFAULT_AS_OF) -> ExportSummary:
    """Write a Bulk-export-shaped directory: one NDJSON file set per resource type and a manifest.

    ``inpatients`` encounters are in progress (the census). Newborns among them are extra "B/O"
    patients born here; each in-patient has allergies (or "no known allergy", or nothing recorded),
    medications and recent results.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    summary = ExportSummary(out, as_of)
    writers = {t: _Writer(out, t, summary) for t in ("Patient", "Location", "Encounter", "AllergyIntolerance",
                                                     "MedicationRequest", "Observation", "DiagnosticReport")}
    ward = _Wards(_write_locations(writers["Location"], inpatients))
    every = max(1, patients // max(inpatients, 1))  # admit every k-th patient, spread through the file
    admitted = 0
    for serial, person in enumerate(_people(rng, patients, as_of), start=1):
        writers["Patient"].write_line(_patient_line(person, as_of))
        if serial % every == 0 and admitted < inpatients:
            admitted += _admit(rng, writers, person, ward, as_of, room=inpatients - admitted)
    for writer in writers.values():
        writer.close()
    _write_manifest(out, summary, as_of)
    return summary


def _people(rng: random.Random, count: int, as_of: dt.datetime) -> Iterator[_Person]:
    """``count`` people, household by household."""
    made = 0
    while made < count:
        for person in _household(rng, made, as_of):
            if made == count:
                return
            yield person
            made += 1


def _household(rng: random.Random, first: int, as_of: dt.datetime) -> list[_Person]:
    draw = rng.random
    region = rng.choices(REGIONS, _REGION_WEIGHTS)[0]
    locality, city, state, pin = _pick(draw, region.places)
    home = _Household(region, _pick(draw, region.surnames), f"{_pick(draw, '6789')}{_below(draw, 10**9):09d}",
                      f"H.No. {1 + _below(draw, 998)}, {locality}", city, state, f"{pin}{10 + _below(draw, 89)}")
    year = as_of.year
    head_age = 24 + _below(draw, 52)
    head = _person(draw, home, first, "male", head_age, year, relative=None)
    people = [head]
    size = rng.choices((1, 2, 3, 4, 5, 6), (12, 18, 22, 26, 14, 8))[0]
    if size >= 2:
        wife_age = max(18, head_age - _below(draw, 9))
        people.append(_person(draw, home, first + 1, "female", wife_age, year, relative=("HUSB", head.name)))
    children = max(0, size - 2 - (1 if size >= 5 else 0))
    twins = children >= 2 and draw() < 0.08
    for k in range(children):
        age = max(0, head_age - 20 - _below(draw, 16))
        sex = "male" if draw() < 0.5 else "female"
        kid = _person(draw, home, first + len(people), sex, age, year, relative=("FTH", head.name))
        if twins and k == 1:
            kid.birth = people[-1].birth  # twins: same date of birth, same parents, same phone and address
        people.append(kid)
    if size >= 5:
        # An elderly parent known to the HMIS only by age: birthDate is just the year. The son is the contact.
        people.append(_person(draw, home, first + len(people), "male" if draw() < 0.5 else "female",
                              min(head_age + 22 + _below(draw, 9), 99), year, relative=("CHILD", head.name),
                              year_only=True))
    return people


def _person(draw: Callable[[], float], home: _Household, index: int, sex: str, age: int, year: int, *,
            relative: tuple[str, str] | None, year_only: bool = False) -> _Person:
    region = home.region
    given = _pick(draw, region.male if sex == "male" else region.female).replace("_", " ")
    family: str | None = home.surname
    prefix = None
    if sex == "male" and region.male_middle != ("",):
        middle = _pick(draw, region.male_middle)
        given = f"{given} {middle}" if middle and middle != family else given
    if sex == "female" and region.female_last and draw() < 0.5:
        family = _pick(draw, region.female_last)  # "Sunita Devi", "Gurpreet Kaur", "Shabana Begum"
    if region.initial_first:
        given_parts = [f"{home.surname[0]}.", given]  # "S. Murugan": the father's initial comes first
        family = None
    elif draw() < 0.05 and " " in given:
        given_parts = [f"{w[0]}." for w in given.split()]  # "R. K. Sharma"
    else:
        given_parts = given.split()
    if age >= 18 and draw() < 0.15:
        prefix = "Shri" if sex == "male" else _pick(draw, ("Smt.", "Mrs."))
    name = " ".join(given_parts + [family]) if family else " ".join(given_parts)
    birth = _birth_date(draw, age, year, year_only)
    abha = _abha(draw) if draw() < 0.3 else None
    return _Person(uhid=f"{100000000000 + index}", name=name, family=family, given=given_parts, prefix=prefix,
                   sex=sex, birth=birth, age=age, relative=relative, household=home, abha=abha)


def _pick(draw: Callable[[], float], options: Sequence[T]) -> T:
    """``random.choice`` without its per-call overhead (a million patients make a million calls)."""
    return options[int(draw() * len(options))]


def _below(draw: Callable[[], float], n: int) -> int:
    return int(draw() * n)


def _birth_date(draw: Callable[[], float], age: int, year: int, year_only: bool) -> str:
    born = year - age - (1 if draw() < 0.5 else 0)
    if year_only:
        return f"{born}"
    return f"{born}-{1 + _below(draw, 12):02d}-{1 + _below(draw, 28):02d}"


def _abha(draw: Callable[[], float]) -> str:
    digits = f"{10 + _below(draw, 90)}{_below(draw, 10**12):012d}"
    return f"{digits[:2]}-{digits[2:6]}-{digits[6:10]}-{digits[10:]}"


_COMPACT = (",", ":")
_MR_TYPE = json.dumps({"coding": [{"system": V2_0203, "code": "MR", "display": "Medical record number"}]},
                      separators=_COMPACT)
_ABHA_TYPE = json.dumps({"coding": [{"system": "https://nrces.in/ndhm/fhir/r4/CodeSystem/ndhm-identifier-type-code",
                                     "code": "ABHA"}], "text": "ABHA number"}, separators=_COMPACT)


def _patient_line(p: _Person, as_of: dt.datetime) -> str:
    """One Patient resource as an NDJSON line.

    Built from JSON fragments rather than one ``json.dumps`` of a nested dict: with a million patients
    the encoder would otherwise be most of the generator's time. Every value still goes through
    ``json.dumps``, so the line is valid JSON whatever a name contains.
    """
    uhid = _QUOTE(p.uhid)
    identifiers = f'{{"type":{_MR_TYPE},"system":"{UHID_SYSTEM}","value":{uhid}}}'
    if p.abha:
        identifiers += f',{{"type":{_ABHA_TYPE},"system":"{ABHA_SYSTEM}","value":"{p.abha}"}}'
    name = f'{{"use":"official","text":{_js(p.name)},"given":{_js(p.given)}'
    if p.family:
        name += f',"family":{_js(p.family)}'
    if p.prefix:
        name += f',"prefix":[{_js(p.prefix)}]'
    contact = ""
    if p.relative:
        code, relative = p.relative
        contact = (f',"contact":[{{"relationship":[{{"coding":[{{"system":"{ROLE_CODE}","code":"{code}"}}]}}],'
                   f'"name":{{"text":{_js(relative)}}}}}]')
    return (f'{{"resourceType":"Patient","id":{uhid},"meta":{{"lastUpdated":"{_stamp(as_of)}"}},'
            f'"identifier":[{identifiers}],"name":[{name}}}],"gender":"{p.sex}","birthDate":"{p.birth}",'
            f'{p.household.contact_json}{contact}}}')


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=_COMPACT).encode  # one encoder, not one per call
_QUOTE = json.encoder.encode_basestring  # the C string quoter behind json.dumps(str)


def _js(value: str | list[str]) -> str:
    if isinstance(value, str):
        return _QUOTE(value)
    return _ENCODE(value)


# -- wards, beds and admissions ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Bed:
    ward_id: str
    ward: str
    bed_id: str
    bed: str
    department: str


def _write_locations(writer: _Writer, inpatients: int) -> dict[str, list[_Bed]]:
    """Enough wards for ``inpatients`` at about 85 % occupancy; returns the beds by department."""
    beds: dict[str, list[_Bed]] = {}
    for department, code, share, per_unit, first_number in _WARDS:
        units = max(1, math.ceil(inpatients * share / (0.85 * per_unit)))
        numbered = units > 1 or first_number > 1  # "Medicine Ward 7", "ICU 2"; a lone "NICU" keeps its name
        for unit in range(first_number, first_number + units):
            ward = f"{department} {unit}" if numbered else department
            ward_id = f"ward-{code.lower()}{unit}"
            writer.write({"resourceType": "Location", "id": ward_id, "status": "active", "name": ward,
                          "mode": "instance", "physicalType": _physical_type("wa", "Ward")})
            for number in range(1, per_unit + 1):
                label = f"{code}{unit if numbered else ''}-{number:02d}"
                bed_id = f"bed-{label.lower()}"
                writer.write({"resourceType": "Location", "id": bed_id, "status": "active", "name": label,
                              "mode": "instance", "physicalType": _physical_type("bd", "Bed"),
                              "partOf": {"reference": f"Location/{ward_id}", "display": ward}})
                beds.setdefault(department, []).append(_Bed(ward_id, ward, bed_id, label, department))
    return beds


def _physical_type(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/location-physical-type", "code": code,
                        "display": display}]}


class _Wards:
    """Free beds by department; a full department overflows into any ward with room (as on a busy night)."""

    def __init__(self, beds: dict[str, list[_Bed]]):
        self.free = {department: list(reversed(pool)) for department, pool in beds.items()}

    def take(self, department: str) -> _Bed:
        pool = self.free.get(department) or next(p for p in self.free.values() if p)
        return pool.pop()


def _department(rng: random.Random, p: _Person) -> str:
    if p.age < 14:
        return "Paediatrics Ward"
    if p.sex == "female" and 19 <= p.age <= 40 and rng.random() < 0.5:
        return "Maternity Ward"
    return rng.choices(("Medicine Ward", "Surgery Ward", "Orthopaedics Ward", "ICU", "Cardiology CCU",
                        "Nephrology Ward"), (40, 22, 10, 8, 6, 8))[0]


def _admit(rng: random.Random, writers: dict[str, _Writer], person: _Person, wards: _Wards, as_of: dt.datetime,
           room: int) -> int:
    """Admit ``person`` (and, after a delivery, her newborn to the NICU); returns how many were admitted."""
    department = _department(rng, person)
    _admit_one(rng, writers, person, wards.take(department), as_of)
    if department == "Maternity Ward" and room > 1 and rng.random() < 0.3:
        baby = _newborn(rng, person, as_of)
        writers["Patient"].write_line(_patient_line(baby, as_of))
        _admit_one(rng, writers, baby, wards.take("NICU"), as_of)
        return 2
    return 1


def _admit_one(rng: random.Random, writers: dict[str, _Writer], p: _Person, bed: _Bed, as_of: dt.datetime) -> None:
    """An in-progress admission with allergies, medications and results."""
    hours = rng.randint(1, 24 * 5) if p.baby_of else rng.randint(2, 24 * 20)
    since = as_of - dt.timedelta(hours=hours)
    encounter_id = f"enc-{p.uhid}"
    writers["Encounter"].write(_encounter(rng, encounter_id, p, bed, since))
    if rng.random() < 0.1:
        # An earlier, finished stay: not part of the census, so the import must leave it out.
        old = since - dt.timedelta(days=rng.randint(40, 400))
        stay = _encounter(rng, f"{encounter_id}-old", p, bed, old)
        stay["status"] = "finished"
        stay["period"]["end"] = _iso(old + dt.timedelta(days=3))
        writers["Encounter"].write(stay)
    _allergies(rng, writers["AllergyIntolerance"], p, since)
    _medications(rng, writers["MedicationRequest"], p, encounter_id, since)
    _results(rng, writers, p, encounter_id, since, as_of)


def _newborn(rng: random.Random, mother: _Person, as_of: dt.datetime) -> _Person:
    """A baby in the NICU, registered as "B/O <mother>" with the mother as contact."""
    home = mother.household
    born = (as_of - dt.timedelta(days=rng.randint(0, 6))).date().isoformat()
    # Newborn UHIDs come from a separate series, as HMIS register births at the labour room desk.
    return _Person(uhid=f"2{mother.uhid[1:]}", name=f"B/O {mother.name}", family=None, given=["B/O", mother.name],
                   prefix=None, sex=rng.choice(("male", "female")), birth=born, age=0,
                   relative=("MTH", mother.name), household=home, baby_of=True)


def _encounter(rng: random.Random, encounter_id: str, p: _Person, bed: _Bed, since: dt.datetime) -> dict[str, Any]:
    reason = "Neonatal jaundice" if p.baby_of else rng.choice(_REASONS)
    return {
        "resourceType": "Encounter", "id": encounter_id,
        "identifier": [{"system": IP_SYSTEM, "value": f"IP{encounter_id[4:16]}"}],
        "status": "in-progress",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP",
                  "display": "inpatient encounter"},
        "type": [{"text": f"Admission - {bed.department}"}],
        "subject": {"reference": f"Patient/{p.uhid}", "display": p.name},
        "participant": [{"individual": {"display": rng.choice(_DOCTORS).replace("_", " ")}}],
        "period": {"start": _iso(since)},
        "reasonCode": [{"text": reason}],
        "location": [
            {"location": {"reference": f"Location/{bed.bed_id}", "display": bed.bed}, "status": "active",
             "physicalType": {"coding": [{"code": "bd"}]}},
            {"location": {"reference": f"Location/{bed.ward_id}", "display": bed.ward}, "status": "active",
             "physicalType": {"coding": [{"code": "wa"}]}},
        ],
    }


def _allergies(rng: random.Random, writer: _Writer, p: _Person, since: dt.datetime) -> None:
    roll = rng.random()
    ref = {"reference": f"Patient/{p.uhid}"}
    clinical = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                            "code": "active"}]}
    if roll < 0.25:
        writer.write({"resourceType": "AllergyIntolerance", "id": f"alg-{p.uhid}-0", "clinicalStatus": clinical,
                      "code": {"coding": [{"system": "http://snomed.info/sct", "code": _NO_KNOWN_ALLERGY[1],
                                           "display": _NO_KNOWN_ALLERGY[0]}], "text": _NO_KNOWN_ALLERGY[0]},
                      "patient": ref, "recordedDate": _iso(since)})
        return
    if roll > 0.6:
        return  # nothing recorded: the viewer must say "none recorded", never "no known allergies"
    for k, (substance, code, category, criticality, reaction) in enumerate(rng.sample(_ALLERGENS, rng.randint(1, 2))):
        writer.write({"resourceType": "AllergyIntolerance", "id": f"alg-{p.uhid}-{k + 1}", "clinicalStatus": clinical,
                      "verificationStatus": {"coding": [{"code": "confirmed"}]}, "type": "allergy",
                      "category": [category], "criticality": criticality,
                      "code": {"coding": [{"system": "http://snomed.info/sct", "code": code, "display": substance}],
                               "text": substance},
                      "patient": ref, "recordedDate": _iso(since - dt.timedelta(days=rng.randint(0, 2000))),
                      "reaction": [{"manifestation": [{"text": reaction}],
                                    "severity": "severe" if criticality == "high" else "mild"}]})


def _medications(rng: random.Random, writer: _Writer, p: _Person, encounter_id: str, since: dt.datetime) -> None:
    pool = _BABY_MEDICATIONS if p.baby_of else _MEDICATIONS
    chosen = rng.sample(pool, min(len(pool), rng.randint(2, 6)))
    for k, (drug, dose) in enumerate(chosen):
        status = "stopped" if k == len(chosen) - 1 and len(chosen) > 2 and rng.random() < 0.3 else "active"
        writer.write({"resourceType": "MedicationRequest", "id": f"med-{p.uhid}-{k}", "status": status,
                      "intent": "order", "medicationCodeableConcept": {"text": drug},
                      "subject": {"reference": f"Patient/{p.uhid}"}, "encounter": {"reference": f"Encounter/{encounter_id}"},
                      "authoredOn": _iso(since + dt.timedelta(hours=rng.randint(0, 12))),
                      "requester": {"display": rng.choice(_DOCTORS).replace("_", " ")},
                      "dosageInstruction": [{"text": dose}]})


def _results(rng: random.Random, writers: dict[str, _Writer], p: _Person, encounter_id: str, since: dt.datetime,
             as_of: dt.datetime) -> None:
    ids = []
    for k, lab in enumerate(rng.sample(_LABS, rng.randint(3, 9))):
        code, name, unit, low, high, typical, spread = lab
        low, high = _lab_range(code, p.sex, low, high)
        value = round(max(0.0, rng.gauss(typical, spread / 2)), 1)
        taken = since + (as_of - since) * rng.random()
        if rng.random() < 0.08:
            taken = as_of - dt.timedelta(days=rng.randint(31, 300))  # too old for the snapshot window
        obs: dict[str, Any] = {
            "resourceType": "Observation", "id": f"obs-{p.uhid}-{k}", "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "laboratory"}]}],
            "code": {"coding": [{"system": LOINC, "code": code, "display": name}], "text": name},
            "subject": {"reference": f"Patient/{p.uhid}"}, "encounter": {"reference": f"Encounter/{encounter_id}"},
            "effectiveDateTime": _iso(taken), "issued": _iso(taken + dt.timedelta(hours=3)),
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
            "referenceRange": [{"low": {"value": low, "unit": unit}, "high": {"value": high, "unit": unit}}],
        }
        flag = "H" if value > high else "L" if value < low else "N"
        if rng.random() < 0.7:  # some labs send no flag: the viewer must work it out from the range
            obs["interpretation"] = [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": flag}]}]
        writers["Observation"].write(obs)
        ids.append(obs["id"])
    if rng.random() < 0.5:
        writers["DiagnosticReport"].write({
            "resourceType": "DiagnosticReport", "id": f"dr-{p.uhid}", "status": "final",
            "category": [{"coding": [{"code": "LAB"}]}], "code": {"text": "Admission laboratory panel"},
            "subject": {"reference": f"Patient/{p.uhid}"}, "effectiveDateTime": _iso(since + dt.timedelta(hours=2)),
            "result": [{"reference": f"Observation/{i}"} for i in ids], "conclusion": "Reviewed by duty doctor."})


def _lab_range(code: str, sex: str, low: float, high: float) -> tuple[float, float]:
    if code == "718-7" and sex == "male":
        return 13.0, 17.0
    return low, high


def _write_manifest(out: Path, summary: ExportSummary, as_of: dt.datetime) -> None:
    """The Bulk Data "complete" status body: its transactionTime is the snapshot's "as of" time."""
    manifest = {
        "transactionTime": _iso(as_of), "request": "https://hmis.demo-hospital.in/fhir/$export",
        "requiresAccessToken": False,
        "output": [{"type": p.name.split(".")[0], "url": p.name} for p in summary.files], "error": [],
    }
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    summary.files.append(path)


@lru_cache(maxsize=4)
def _stamp(moment: dt.datetime) -> str:
    return _iso(moment)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
