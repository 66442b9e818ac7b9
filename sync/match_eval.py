"""A synthetic evaluation set for patient matching, with ground truth, and the figures measured on it.

The set is built to be hard in the ways Indian hospital data is hard:

* **Households.** People live in families that share a phone, an address, a PIN code and (in the north) a
  surname; children are written "S/o <father>", wives "W/o <husband>". Some households are joint families
  (two brothers), some have twins, some a newborn "B/O <mother>".
* **Regions and religions.** North Indian Hindu, Muslim, Sikh, Bengali, Tamil (father's initial, no
  surname), Telugu, Marathi (father's or husband's name in the middle), Gujarati (-bhai/-ben) and Kerala
  names, each drawn with a skewed frequency, so "Ram Kumar", "Sunita Devi" and "Mohd Salim" recur across
  unrelated families.
* **The dangerous new patients.** About a third of registrations are new to the hospital, and many of them
  are relatives of MPI patients: the spouse, child, parent, brother or twin of someone in the MPI, or a
  baby born during the outage ("B/O Sunita Devi", twins "Twin 1"/"Twin 2").
* **Noise on known patients.** Transliteration variants (Suneeta/Sunita, Mohd/Mohammed/Md,
  Laxmi/Lakshmi), initials, Kumar/Devi dropped or added, typos, swapped names, honorifics, an age instead
  of the dob (±2 years), a missing or a relative's phone, addresses written differently, mistyped UHIDs.

Everything is drawn from one seeded ``random.Random``: the same seed gives the same set.
``evaluate`` turns decisions and ground truth into the figures the issue asks for.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sync.mpi import MpiRecord

OUTAGE_START = dt.datetime(2025, 3, 1, 8, 0)
OUTAGE_DAYS = 14

# Goals from the issue, printed next to the figures.
GOALS = {"wrong_links_pct": 0.1, "recall_pct": 95.0, "review_pct": 10.0}


# -- name pools -----------------------------------------------------------------------------------------------
# (male given names, female given names, surnames, naming style, PIN prefixes, cities). Lists are in rough
# order of frequency: names are drawn with a skew towards the front.

@dataclass(frozen=True)
class Region:
    name: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    style: str            # north, muslim, sikh, plain, tamil, marathi, gujarati
    pins: tuple[str, ...]
    places: tuple[str, ...]
    weight: float


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


REGIONS = (
    Region("north", _t("Ram Ramesh Suresh Rajesh Rakesh Mahesh Dinesh Mukesh Sunil Anil Vijay Ajay Sanjay Manoj "
                       "Pankaj Deepak Amit Sumit Rohit Mohit Rahul Vikas Vivek Ravi Pradeep Sandeep Kuldeep "
                       "Arvind Ashok Alok Vinod Pramod Santosh Krishna Gopal Shiv Hari Ankit Aman Aditya Gaurav "
                       "Saurabh Yogesh Naresh Umesh Jitendra Surendra Narendra Virendra Rajendra Devendra Shyam "
                       "Lakshman Bhupendra Om Prem"),
           _t("Sunita Anita Savita Sarita Kavita Babita Geeta Sita Rita Neeta Pooja Priya Neha Sneha Lakshmi "
              "Saroj Suman Usha Asha Nisha Manju Anju Rekha Meena Reena Seema Poonam Rani Radha Shanti Kamla "
              "Sushila Pushpa Kiran Jyoti Preeti Shalini Anjali Komal Mamta Sapna Renu Sumita Ritu Vandana "
              "Sangeeta Parvati Durga"),
           _t("Sharma Verma Gupta Singh Yadav Kumar Mishra Pandey Tiwari Shukla Dubey Chauhan Jha Prasad "
              "Srivastava Agarwal Saxena Tripathi Pathak Rawat Negi Kushwaha Maurya Paswan Mahto Thakur "
              "Chaudhary Jain Rajput Bisht"),
           "north", ("110", "201", "208", "226", "800", "841", "250", "302", "452", "462"),
           ("Shiv Nagar", "Ram Nagar", "Gandhi Nagar", "Sector 4", "Laxmi Nagar", "Patel Nagar", "Indira Colony",
            "Subhash Marg", "Nehru Colony", "Shastri Nagar", "Mayur Vihar", "Rohini Sector 7"), 0.40),
    Region("muslim", _t("Salim Irfan Imran Rizwan Asif Arif Aslam Akram Javed Shahid Rashid Sajid Wasim Nadeem "
                        "Naseem Faizan Faisal Zubair Yusuf Iqbal Anwar Ahmed Ali Hasan Hussain Raza Sameer Aamir "
                        "Tariq Shakeel Jameel Kamal Jamal Rafiq Shafiq"),
           _t("Fatima Ayesha Shabana Nazia Rubina Shaheen Parveen Nasreen Farzana Salma Rukhsana Zainab Noor Sana "
              "Heena Shazia Tabassum Yasmin Reshma Nargis Afsana Gulshan Mumtaz"),
           _t("Khan Ansari Qureshi Siddiqui Shaikh Malik Mirza Pathan Rizvi Hashmi Farooqui Alvi Usmani Sheikh"),
           "muslim", ("110", "226", "202", "244", "400", "500"),
           ("Jama Masjid Road", "Zakir Nagar", "Old City", "Idgah Colony", "Mominpura", "Jafrabad"), 0.15),
    Region("sikh", _t("Gurpreet Harpreet Manpreet Jaspreet Harjeet Gurmeet Kuldeep Sukhwinder Jaswinder Balwinder "
                      "Paramjit Amarjit Ranjit Inderjit Baljeet Hardeep Navdeep Gurdeep Satnam Harbhajan "
                      "Gurcharan Lakhwinder"),
           _t("Gurpreet Harpreet Manpreet Jaspreet Simran Harleen Navneet Kuldeep Amandeep Rajwinder Paramjit "
              "Sukhjeet Baljeet Jasleen Manjeet"),
           _t("Sandhu Gill Dhillon Sidhu Grewal Brar Bajwa Randhawa"),
           "sikh", ("141", "143", "144", "147", "160", "110"),
           ("Model Town", "Civil Lines", "Guru Nanak Nagar", "Ranjit Avenue", "Sector 22"), 0.06),
    Region("bengali", _t("Subhash Sourav Souvik Subrata Debashis Partha Arindam Abhijit Biswajit Sanjib Tapas "
                         "Tapan Pradip Amit Sandip Ranjan Anirban Indranil Kaushik Sudip Dipankar"),
           _t("Mousumi Moumita Sumana Sutapa Rina Mita Rupa Shampa Tanushree Ananya Paromita Soma Bithika "
              "Jayanti Kakali Sima Dipali"),
           _t("Das Ghosh Chatterjee Banerjee Mukherjee Bose Sen Dutta Roy Saha Mondal Sarkar Chakraborty "
              "Bhattacharya Paul Majumdar Dey Biswas"),
           "plain", ("700", "711", "712", "721", "731", "743"),
           ("Salt Lake", "Behala", "Jadavpur", "Dum Dum", "Baranagar", "Howrah Maidan"), 0.08),
    Region("tamil", _t("Ramesh Suresh Murugan Senthil Karthik Arun Balaji Ganesan Rajan Saravanan Selvam "
                       "Venkatesh Prakash Vijay Manikandan Sivakumar Anand Gopi Dinesh Kannan Muthu"),
           _t("Lakshmi Meenakshi Kavitha Priya Divya Revathi Saranya Sangeetha Vani Geetha Malathi Selvi "
              "Jayanthi Kalaivani Anitha Sumathi Chitra"),
           (), "tamil", ("600", "602", "620", "625", "641"),
           ("Anna Nagar", "T Nagar", "Velachery", "Tambaram", "KK Nagar", "Mylapore"), 0.07),
    Region("telugu", _t("Srinivas Venkat Ramana Krishna Suresh Ravi Prasad Naresh Mahesh Kiran Raju Satish "
                        "Nagaraju Chandra Sekhar"),
           _t("Lakshmi Padma Sujatha Swathi Kavya Sravani Anusha Bhavani Radha Sirisha Jyothi"),
           _t("Reddy Naidu Rao Chowdary Goud Varma Raju"),
           "plain", ("500", "501", "520", "530", "515"),
           ("Ameerpet", "Kukatpally", "Dilsukhnagar", "Gachibowli", "Secunderabad"), 0.05),
    Region("marathi", _t("Santosh Sachin Rahul Ganesh Mahesh Prashant Sunil Vishal Nitin Sandeep Ramesh Vijay "
                         "Anil Dattatray Vinayak Sagar"),
           _t("Sunita Manisha Vaishali Swati Ashwini Pallavi Supriya Sarika Jyoti Rupali Sangita Shubhangi"),
           _t("Patil Joshi Kulkarni Deshmukh Jadhav Pawar Shinde More Gaikwad Kale Chavan Bhosale"),
           "marathi", ("400", "411", "413", "416", "431", "440"),
           ("Kothrud", "Dadar", "Shivaji Nagar", "Hadapsar", "Ghatkopar", "Parel"), 0.08),
    Region("gujarati", _t("Ramesh Jayesh Hitesh Nilesh Kalpesh Bhavesh Mahesh Dinesh Paresh Suresh Jignesh "
                          "Mukesh Rajesh Ketan"),
           _t("Hansa Nirmala Bhavna Kinjal Hetal Komal Jyotsna Daksha Manisha Rekha Varsha"),
           _t("Patel Shah Desai Mehta Parmar Chauhan Solanki Joshi Trivedi Modi"),
           "gujarati", ("380", "382", "390", "395", "360"),
           ("Maninagar", "Navrangpura", "Vastrapur", "Naroda", "Satellite"), 0.06),
    Region("kerala", _t("Joseph Thomas George Mathew Abraham Jose Varghese Biju Suresh Anil Rajesh Shibu Sunil"),
           _t("Mary Annamma Elizabeth Susan Jessy Mini Bindu Sheeba Lissy Anitha Sindhu"),
           _t("Nair Menon Pillai Kurian Varghese Thomas Joseph Kutty"),
           "plain", ("682", "683", "686", "695", "670"),
           ("Kaloor", "Edappally", "Vyttila", "Pattom", "Kottayam Road"), 0.05),
)

# Spelling variants of whole words, as different clerks write them.
_WORD_VARIANTS = (
    ("Mohd", "Mohammed", "Md", "Mohammad", "Mohd."), ("Lakshmi", "Laxmi", "Lakshmee"), ("Sunita", "Suneeta"),
    ("Geeta", "Gita", "Geetha"), ("Sita", "Seeta", "Seetha"), ("Neeta", "Nita"), ("Salim", "Saleem"),
    ("Naseem", "Nasim"), ("Jameel", "Jamil"), ("Shakeel", "Shakil"), ("Rafiq", "Rafeeq"), ("Pooja", "Puja"),
    ("Chaudhary", "Choudhary", "Chaudhari"), ("Srivastava", "Shrivastava"), ("Sheikh", "Shaikh", "Shekh"),
    ("Harjeet", "Harjit"), ("Baljeet", "Baljit"), ("Jyoti", "Jyothi"), ("Kavita", "Kavitha"), ("Savita", "Savitha"),
    ("Anita", "Anitha"), ("Sangeeta", "Sangita"), ("Vijay", "Vijai"), ("Sanjay", "Sanjai"), ("Mukherjee",
    "Mukherji"), ("Chatterjee", "Chatterji"), ("Banerjee", "Banerji"), ("Yusuf", "Yousuf"), ("Hussain", "Husain"),
    ("Ayesha", "Aisha"), ("Fatima", "Fatma"), ("Zubair", "Jubair"), ("Shiv", "Shiva"), ("Krishna", "Krishan"),
    ("Suresh", "Sureshh"), ("Rakesh", "Raakesh"), ("Sourav", "Saurav"), ("Subhash", "Subash"),
)
_VARIANT_OF = {w: group for group in _WORD_VARIANTS for w in group}
_LETTER_SWAPS = (("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("v", "w"), ("w", "v"), ("ph", "f"),
                 ("sh", "s"), ("aa", "a"))
_HONORIFICS = {"male": ("Mr.", "Shri", "Sh."), "female": ("Smt.", "Mrs.", "Km.")}
_FILLERS = {"male": ("Kumar",), "female": ("Devi", "Kumari")}


# -- people and households --------------------------------------------------------------------------------------

@dataclass
class Resident:
    """One generated person: the truth behind their MPI row and registrations."""

    pid: int
    region: Region
    sex: str
    dob: dt.date
    given: str
    surname: str                      # may be ""
    middle: str = ""                  # Marathi father's/husband's name, a North Indian "Kumar"/"Prasad"
    father_initial: str = ""          # Tamil style
    suffix: str = ""                  # Devi, Kumari, Begum, Kaur, bhai, ben
    phone: str | None = None
    own_phone: str | None = None
    address: str = ""
    pincode: str = ""
    relation: str | None = None       # so/do/wo/bo
    relative: Resident | None = None
    role: str = "head"
    household: int = 0
    uhid: str | None = None           # set when in the MPI
    abha: str | None = None
    baby_of: Resident | None = None     # a newborn known as "B/O <mother>"
    twin: str = ""                    # "1"/"2" for newborn twins

    @property
    def name(self) -> str:
        """The name as the HMIS holds it."""
        if self.baby_of is not None:
            return f"B/O {self.baby_of.name}" + (f" (Twin {self.twin})" if self.twin else "")
        words = [self.father_initial + "."] if self.father_initial else []
        words.append(self.given + (self.suffix if self.suffix in ("bhai", "ben") else ""))
        if self.middle:
            words.append(self.middle)
        if self.suffix and self.suffix not in ("bhai", "ben"):
            words.append(self.suffix)
        if self.surname:
            words.append(self.surname)
        return " ".join(words)

    @property
    def relative_text(self) -> str | None:
        if self.relative is None:
            return None
        return self.relative.name

    def mpi_record(self) -> MpiRecord:
        assert self.uhid is not None
        return MpiRecord(uhid=self.uhid, name=self.name, sex=self.sex, dob=self.dob.isoformat(),
                         phone=self.own_phone or self.phone, address=self.address, pincode=self.pincode,
                         relative=self.relative_text, relation_type=self.relation, abha=self.abha)


class _People:
    """Draws households of a region, with names that follow the region's naming style."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.people: list[Resident] = []
        self.households: list[list[Resident]] = []
        self._phones: set[str] = set()
        self._given_names: dict[int, set[str]] = {}

    def pick(self, names: Sequence[str]) -> str:
        # A skewed draw: the first names of each list are several times more common than the last.
        index = min(int(self.rng.paretovariate(0.9)) - 1, len(names) - 1)
        if self.rng.random() < 0.5:
            index = self.rng.randrange(len(names))
        return names[index]

    def phone(self) -> str:
        while True:
            number = self.rng.choice("6789") + "".join(self.rng.choice("0123456789") for _ in range(9))
            if number not in self._phones:
                self._phones.add(number)
                return number

    def person(self, region: Region, sex: str, dob: dt.date, household: int, role: str) -> Resident:
        """A new member of ``household``, with a given name nobody else there has (parents do not give two
        children one name, and twins never share one)."""
        names = region.male if sex == "male" else region.female
        taken = self._given_names.setdefault(household, set())
        given = self.pick(names)
        for _ in range(20):
            if given not in taken:
                break
            given = self.pick(names)
        taken.add(given)
        person = Resident(len(self.people), region, sex, dob, given, "", household=household, role=role)
        self.people.append(person)
        return person

    def household(self, as_of: dt.date) -> list[Resident]:
        rng = self.rng
        region = rng.choices(REGIONS, weights=[r.weight for r in REGIONS])[0]
        hid = len(self.households)
        surname = self.pick(region.surnames) if region.surnames else ""
        head_age = rng.randint(24, 78)
        head = self.person(region, "male", _birthday(rng, as_of, head_age), hid, "head")
        members = [head]
        if rng.random() < 0.85:
            wife = self.person(region, "female", _birthday(rng, as_of, max(18, head_age - rng.randint(0, 8))), hid,
                               "wife")
            wife.relation, wife.relative = "wo", head
            members.append(wife)
            members += self._children(region, head, wife, as_of, hid)
        if head_age < 50 and rng.random() < 0.35:
            members += self._parents(region, head, as_of, hid)
        if rng.random() < 0.1:
            members += self._brother_family(region, head, as_of, hid)
        self._name_family(region, surname, members)
        self._place(region, members)
        self.households.append(members)
        return members

    def _children(self, region: Region, father: Resident, mother: Resident, as_of: dt.date, hid: int) -> list[Resident]:
        rng = self.rng
        mother_age = _age(mother.dob, as_of)
        oldest = mother_age - rng.randint(19, 26)
        children: list[Resident] = []
        age = oldest
        for _ in range(rng.choice((0, 1, 2, 2, 3, 3, 4))):
            if age < 0:
                break
            born = _birthday(rng, as_of, age)
            count = 2 if rng.random() < 0.04 else 1  # twins share the dob and everything household-wide
            for _ in range(count):
                child = self.person(region, rng.choice(("male", "female")), born, hid, "twin" if count == 2 else "child")
                child.relation, child.relative = ("so" if child.sex == "male" else "do"), father
                children.append(child)
            age -= rng.randint(1, 5)
        if 18 <= mother_age <= 40 and rng.random() < 0.05:
            children += self._newborns(region, father, mother, as_of, hid)
        return children

    def _newborns(self, region: Region, father: Resident, mother: Resident, as_of: dt.date, hid: int) -> list[Resident]:
        """A baby born in the weeks before the outage, still known as "B/O <mother>"."""
        born = as_of - dt.timedelta(days=self.rng.randint(1, 40))
        twins = self.rng.random() < 0.1
        babies = []
        for order in (("1", "2") if twins else ("",)):
            baby = self.person(region, self.rng.choice(("male", "female")), born, hid, "newborn")
            baby.baby_of, baby.twin, baby.relation, baby.relative = mother, order, "bo", mother
            babies.append(baby)
        return babies

    def _parents(self, region: Region, head: Resident, as_of: dt.date, hid: int) -> list[Resident]:
        age = _age(head.dob, as_of) + self.rng.randint(20, 34)
        father = self.person(region, "male", _birthday(self.rng, as_of, age), hid, "father")
        mother = self.person(region, "female", _birthday(self.rng, as_of, age - self.rng.randint(0, 6)), hid, "mother")
        head.relation, head.relative = "so", father
        mother.relation, mother.relative = "wo", father
        return [father, mother]

    def _brother_family(self, region: Region, head: Resident, as_of: dt.date, hid: int) -> list[Resident]:
        age = max(20, _age(head.dob, as_of) + self.rng.randint(-6, 6))
        brother = self.person(region, "male", _birthday(self.rng, as_of, age), hid, "brother")
        brother.relation, brother.relative = head.relation, head.relative
        members = [brother]
        if self.rng.random() < 0.8:
            wife = self.person(region, "female", _birthday(self.rng, as_of, max(18, age - self.rng.randint(0, 7))),
                               hid, "sister-in-law")
            wife.relation, wife.relative = "wo", brother
            members += [wife] + self._children(region, brother, wife, as_of, hid)
        return members

    def _name_family(self, region: Region, surname: str, members: list[Resident]) -> None:
        """Surnames and middle names by the region's custom."""
        rng = self.rng
        for person in members:
            father = person.relative if person.relation in ("so", "do") else None
            husband = person.relative if person.relation == "wo" else None
            style = region.style
            if style == "tamil":
                source = father or husband
                person.father_initial = source.given[0] if source else rng.choice("KMSRVP")
                continue
            person.surname = surname
            if style == "north":
                if person.sex == "male" and rng.random() < 0.3:
                    person.middle = rng.choice(("Kumar", "Kumar", "Prasad", "Chandra", "Nath"))
                elif person.sex == "female":
                    person.suffix = "Devi" if husband else ("Kumari" if rng.random() < 0.5 else "")
                if rng.random() < 0.15 and person.middle == "Kumar":
                    person.surname = ""  # "Ram Kumar" of Bihar: no surname at all
            elif style == "muslim":
                if person.sex == "male" and rng.random() < 0.5:
                    person.given = rng.choice(("Mohd", "Mohd", "Mohammed", "Md")) + " " + person.given
                if person.sex == "female" and husband and rng.random() < 0.4:
                    person.suffix = rng.choice(("Begum", "Khatoon", "Bano"))
                if rng.random() < 0.3:
                    person.surname = ""
            elif style == "sikh":
                clan = person.surname if rng.random() < 0.4 else ""
                person.surname = clan
                person.suffix = "Singh" if person.sex == "male" else "Kaur"
            elif style == "marathi" and (father or husband):
                person.middle = (father or husband).given  # type: ignore[union-attr]
            elif style == "gujarati" and rng.random() < 0.5:
                person.suffix = "bhai" if person.sex == "male" else "ben"

    def _place(self, region: Region, members: list[Resident]) -> None:
        rng = self.rng
        phone = self.phone()
        # A hospital's patients come from a catchment of a few hundred PIN codes, so PIN codes repeat.
        pincode = rng.choice(region.pins) + f"{rng.randint(1, 12):03d}"
        address = f"{rng.randint(1, 400)}, {rng.choice(('Gali', 'Lane', 'Street', 'Block'))} {rng.randint(1, 30)}, " \
                  f"{rng.choice(region.places)}"
        for person in members:
            person.phone, person.pincode, person.address = phone, pincode, address
            if _age(person.dob, OUTAGE_START.date()) >= 18 and rng.random() < 0.4:
                person.own_phone = self.phone()


def _birthday(rng: random.Random, as_of: dt.date, age: int) -> dt.date:
    """A date of birth that makes the person ``age`` (completed years) on ``as_of``."""
    latest = _shift_years(as_of, -age)
    return latest - dt.timedelta(days=rng.randint(0, 364))


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _age(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


# -- the evaluation set --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Truth:
    uhid: str | None      # the right MPI record, or None for a patient new to the hospital
    person: int           # the same person id on two registrations means a duplicate registration
    kind: str             # known, known-newborn, new-relative:<role>, new-newborn, new-unrelated


@dataclass
class EvalSet:
    mpi: list[MpiRecord]
    registrations: list[dict[str, object]]
    truth: dict[str, Truth]            # by entry UUID
    seed: int

    def kinds(self) -> Counter[str]:
        return Counter(t.kind.split(":")[0] for t in self.truth.values())


def generate(seed: int = 7, mpi_size: int = 20_000, registrations: int = 2_000, new_share: float = 0.3,
             duplicate_share: float = 0.03) -> EvalSet:
    """A seeded set: about ``mpi_size`` MPI patients and ``registrations`` downtime registrations."""
    rng = random.Random(seed)
    people = _People(rng)
    as_of = OUTAGE_START.date()
    # Some people stay out of the MPI: new to the hospital though their family is known.
    in_mpi_count = 0
    while in_mpi_count < mpi_size:
        members = people.household(as_of)
        whole_household_new = rng.random() < 0.12
        for person in members:
            if not whole_household_new and rng.random() < 0.82:
                person.uhid = "pending"
                in_mpi_count += 1
    in_mpi = [p for p in people.people if p.uhid]
    _assign_uhids(rng, in_mpi)
    for person in in_mpi:
        if rng.random() < 0.25:
            person.abha = "".join(rng.choice("0123456789") for _ in range(14))
    outage_babies = _outage_newborns(people, rng, as_of, count=max(4, registrations // 40))
    households: dict[int, list[Resident]] = {}
    for person in people.people:
        households.setdefault(person.household, []).append(person)
    chosen = _choose_patients(rng, people.people, households, outage_babies, registrations, new_share,
                              duplicate_share)
    regs, truth = [], {}
    for number, person in enumerate(chosen):
        registration = _registration(rng, person, number, households[person.household])
        regs.append(registration)
        truth[str(registration["entry_uuid"])] = Truth(person.uhid, person.pid, _kind(person))
    return EvalSet([p.mpi_record() for p in in_mpi], regs, truth, seed)


def _assign_uhids(rng: random.Random, people: list[Resident]) -> None:
    # Dense sequential numbers, as an HMIS gives them: a mistyped digit usually hits another patient.
    numbers = list(range(1_000_000, 1_000_000 + len(people)))
    rng.shuffle(numbers)
    for person, number in zip(people, numbers):
        person.uhid = f"UH{number}"


def _outage_newborns(people: _People, rng: random.Random, as_of: dt.date, count: int) -> list[Resident]:
    """Babies born during the outage to mothers in the MPI ("B/O <mother>"), some of them twins."""
    recent = {id(p.baby_of) for p in people.people if p.baby_of is not None}
    mothers = [p for p in people.people if p.uhid and p.sex == "female" and 19 <= _age(p.dob, as_of) <= 40
               and p.role in ("wife", "sister-in-law") and id(p) not in recent]
    babies: list[Resident] = []
    for mother in rng.sample(mothers, min(count, len(mothers))):
        born = as_of + dt.timedelta(days=rng.randint(0, OUTAGE_DAYS - 1))
        twins = rng.random() < 0.15
        for order in (("1", "2") if twins else ("",)):
            baby = people.person(mother.region, rng.choice(("male", "female")), born, mother.household, "newborn")
            baby.baby_of, baby.twin, baby.relation, baby.relative = mother, order, "bo", mother
            baby.phone, baby.pincode, baby.address = mother.phone, mother.pincode, mother.address
            babies.append(baby)
    return babies


def _choose_patients(rng: random.Random, everyone: list[Resident], households: dict[int, list[Resident]],
                     babies: list[Resident], total: int, new_share: float, duplicate_share: float) -> list[Resident]:
    known = [p for p in everyone if p.uhid and p.dob <= OUTAGE_START.date()]
    outage_born = {id(b) for b in babies}
    new = [p for p in everyone if not p.uhid and id(p) not in outage_born]
    new_relatives = [p for p in new if any(m.uhid for m in households[p.household])]
    related = {id(p) for p in new_relatives}
    new_strangers = [p for p in new if id(p) not in related]
    duplicates = int(total * duplicate_share)
    singles = total - duplicates
    new_count = int(singles * new_share)
    twins_first = [p for p in new_relatives if p.role == "twin"]  # the hardest case: make sure it is there
    rest = [p for p in new_relatives if p.role != "twin"]
    chosen_new = twins_first[: new_count // 10] + babies[: new_count // 8]
    relatives_wanted = int(new_count * 0.6) - len(chosen_new)
    chosen_new += rng.sample(rest, min(max(0, relatives_wanted), len(rest)))
    chosen_new += rng.sample(new_strangers, min(new_count - len(chosen_new), len(new_strangers)))
    chosen = rng.sample(known, singles - len(chosen_new)) + chosen_new
    # The same patient registered again on another ward: mostly new patients (nobody found them).
    chosen += [rng.choice(chosen_new) if rng.random() < 0.8 else rng.choice(chosen) for _ in range(duplicates)]
    rng.shuffle(chosen)
    return chosen


def _kind(person: Resident) -> str:
    if person.uhid:
        return "known-newborn" if person.baby_of else "known"
    if person.baby_of:
        return "new-newborn"
    return f"new-relative:{person.role}" if person.role != "head" or person.relative else "new-unrelated"


# -- registrations with the noise of a downtime ward ---------------------------------------------------------------

def _registration(rng: random.Random, person: Resident, number: int, household: list[Resident]) -> dict[str, object]:
    recorded = OUTAGE_START + dt.timedelta(minutes=rng.randint(0, OUTAGE_DAYS * 24 * 60 - 1))
    if person.baby_of is not None and person.dob > recorded.date():
        recorded = dt.datetime.combine(person.dob, dt.time(12, 0)) + dt.timedelta(hours=rng.randint(0, 30))
    registration: dict[str, object] = {
        "entry_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "downtime_id": f"DT-{rng.randint(1, 200):03d}-{number:05d}",
        "recorded_at": recorded.isoformat(timespec="seconds"),
        "ward": rng.choice(("Medicine", "Surgery", "Paediatrics", "Obstetrics", "Orthopaedics", "Casualty")),
        "name": _noisy_name(rng, person),
        "sex": person.sex if rng.random() > 0.003 else ("female" if person.sex == "male" else "male"),
    }
    registration.update(_noisy_birth(rng, person, recorded.date()))
    registration["phone"] = _noisy_phone(rng, person, household)
    registration["address"] = _noisy_address(rng, person.address) if rng.random() > 0.2 else None
    registration["pincode"] = _noisy_pincode(rng, person.pincode) if rng.random() > 0.15 else None
    registration["relative"], registration["relation_type"] = _noisy_relative(rng, person)
    registration["uhid"] = _typed_uhid(rng, person)
    registration["abha"] = person.abha if person.abha and rng.random() < 0.05 else None
    return registration


def _noisy_name(rng: random.Random, person: Resident) -> str:
    if person.baby_of is not None:
        mother = _noisy_name(rng, person.baby_of) if rng.random() < 0.5 else person.baby_of.name
        twin = f" Twin {person.twin}" if person.twin else ""
        return rng.choice(("B/O ", "Baby of ", "B/o ", "B.O. ")) + mother + twin
    words = person.name.split()
    edits: list[Callable[[random.Random, list[str], Resident], list[str]]] = []
    for chance, edit in _NAME_EDITS:
        if rng.random() < chance:
            edits.append(edit)
    for edit in edits:
        words = edit(rng, words, person) or words
    text = " ".join(words)
    roll = rng.random()
    return text.upper() if roll < 0.2 else text.lower() if roll < 0.25 else text


def _variant(rng: random.Random, words: list[str], person: Resident) -> list[str]:
    out = []
    for word in words:
        group = _VARIANT_OF.get(word)
        if group and rng.random() < 0.8:
            out.append(rng.choice([w for w in group if w != word]))
        elif rng.random() < 0.3 and len(word) > 3:
            old, new = rng.choice(_LETTER_SWAPS)
            out.append(word[0] + word[1:].replace(old, new, 1))
        else:
            out.append(word)
    return out


def _initials(rng: random.Random, words: list[str], person: Resident) -> list[str]:
    if not person.surname or len(words) < 2:
        return words
    return [w[0].upper() + "." for w in words[:-1]] + words[-1:]


def _filler(rng: random.Random, words: list[str], person: Resident) -> list[str]:
    fillers = {"Kumar", "Devi", "Kumari", "Begum", "Khatoon", "Bano"}
    if any(w in fillers for w in words):
        return [w for w in words if w not in fillers]
    if person.region.style != "north" or person.sex not in _FILLERS:
        return words  # Kumar and Devi are added in the north; elsewhere nobody would
    return [words[0], rng.choice(_FILLERS[person.sex])] + words[1:]


def _typo(rng: random.Random, words: list[str], person: Resident) -> list[str]:
    candidates = [i for i, w in enumerate(words) if len(w) >= 4]
    if not candidates:
        return words
    i = rng.choice(candidates)
    word = words[i]
    at = rng.randint(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.35:
        word = word[:at] + rng.choice("aeiournst") + word[at + 1:]
    elif kind < 0.6:
        word = word[:at] + word[at + 1:]
    elif kind < 0.85:
        word = word[:at] + word[at - 1] + word[at:]
    elif at < len(word) - 1:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return words[:i] + [word] + words[i + 1:]


def _swap(rng: random.Random, words: list[str], person: Resident) -> list[str]:
    return words[-1:] + words[:-1] if person.surname and len(words) >= 2 else words


def _honorific(rng: random.Random, words: list[str], person: Resident) -> list[str]:
    return [rng.choice(_HONORIFICS[person.sex])] + words if person.sex in _HONORIFICS else words


def _drop_surname(rng: random.Random, words: list[str], person: Resident) -> list[str]:
    return words[:-1] if person.surname and len(words) >= 2 else words


# (chance, edit) in the order applied.
_NAME_EDITS: tuple[tuple[float, Callable[[random.Random, list[str], Resident], list[str]]], ...] = (
    (0.3, _variant), (0.15, _filler), (0.06, _drop_surname), (0.05, _initials), (0.06, _typo), (0.05, _swap),
    (0.08, _honorific),
)


def _noisy_birth(rng: random.Random, person: Resident, day: dt.date) -> dict[str, object]:
    age = _age(person.dob, day)
    if person.baby_of is not None or rng.random() < 0.5:
        dob = person.dob
        if rng.random() < 0.02 and dob.day <= 12 and dob.day != dob.month:
            dob = dob.replace(month=dob.day, day=dob.month)  # day and month swapped
        return {"dob": dob.isoformat(), "age_years": None}
    spread = 0 if age < 2 else 1 if age < 13 else 2
    return {"dob": None, "age_years": max(0, age + rng.randint(-spread, spread))}


def _noisy_phone(rng: random.Random, person: Resident, household: list[Resident]) -> str | None:
    roll = rng.random()
    if roll < 0.2:
        return None
    if roll < 0.3:
        relatives = [p for p in household if p.own_phone and p is not person]
        return rng.choice(relatives).own_phone if relatives else person.phone
    number = person.own_phone or person.phone
    return rng.choice((number, "+91" + str(number), "0" + str(number), f"{str(number)[:5]} {str(number)[5:]}"))


def _noisy_address(rng: random.Random, address: str) -> str:
    house, lane, place = [part.strip() for part in address.split(",")]
    house = rng.choice((house, f"H.No. {house}", f"House {house}", f"#{house}"))
    lane = rng.choice((lane, lane.replace("Street", "St").replace("Lane", "Ln"), ""))
    parts = [p for p in (house, lane, place) if p]
    if rng.random() < 0.2:
        parts = parts[:1] + parts[2:]
    return ", ".join(parts)


def _noisy_pincode(rng: random.Random, pincode: str) -> str:
    if rng.random() < 0.02:
        at = rng.randrange(6)
        return pincode[:at] + rng.choice("0123456789") + pincode[at + 1:]
    return pincode


def _noisy_relative(rng: random.Random, person: Resident) -> tuple[str | None, str | None]:
    if person.relative is None or rng.random() < 0.3:
        return None, None
    words = person.relative.name.split()
    # Often only the relative's given name ("W/o Ramesh"); "Mohd" alone would name nobody, so keep two words.
    short = words[:2] if words[0] in ("Mohd", "Mohammed", "Md") or words[0].endswith(".") else words[:1]
    name = person.relative.name if rng.random() < 0.6 else " ".join(short)
    if rng.random() < 0.2:
        name = " ".join(_variant(rng, name.split(), person.relative))
    marker = {"so": "S/o", "do": "D/o", "wo": "W/o", "bo": "B/O"}.get(person.relation or "", "C/o")
    if rng.random() < 0.7:
        return f"{marker} {name}", person.relation
    return name, person.relation


def _typed_uhid(rng: random.Random, person: Resident) -> str | None:
    if not person.uhid:
        return None
    roll = rng.random()
    if roll < 0.08:
        return person.uhid
    if roll < 0.085:
        digits = list(person.uhid[2:])
        at = rng.randrange(len(digits))
        digits[at] = str((int(digits[at]) + rng.randint(1, 9)) % 10)
        return "UH" + "".join(digits)  # one digit wrong: usually another patient's number
    return None


# -- figures ---------------------------------------------------------------------------------------------------------

@dataclass
class Figures:
    registrations: int = 0
    known: int = 0
    matched: int = 0
    correct_links: int = 0
    wrong_links: int = 0
    review: int = 0
    new: int = 0
    new_correct: int = 0
    duplicate_pairs: int = 0          # pairs of registrations of one person
    duplicate_pairs_found: int = 0
    duplicate_pairs_offered: int = 0  # not merged, but listed as "maybe the same patient" for review
    duplicate_pairs_wrong: int = 0    # registrations marked same_as that are different people
    wrong_by_kind: Counter[str] = field(default_factory=Counter)
    review_by_kind: Counter[str] = field(default_factory=Counter)

    @property
    def precision_pct(self) -> float:
        return 100.0 * self.correct_links / self.matched if self.matched else 100.0

    @property
    def recall_pct(self) -> float:
        return 100.0 * self.correct_links / self.known if self.known else 100.0

    @property
    def wrong_links_pct(self) -> float:
        return 100.0 * self.wrong_links / self.registrations if self.registrations else 0.0

    @property
    def review_pct(self) -> float:
        return 100.0 * self.review / self.registrations if self.registrations else 0.0

    @property
    def meets_goals(self) -> bool:
        return (self.wrong_links_pct <= GOALS["wrong_links_pct"] and self.recall_pct >= GOALS["recall_pct"]
                and self.review_pct <= GOALS["review_pct"])


class Decided(Protocol):
    """What ``evaluate`` reads of a decision (a ``MatchDecision``, or a baseline's in the bench)."""

    @property
    def entry_uuid(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def uhid(self) -> str | None: ...
    @property
    def same_as(self) -> list[str]: ...
    @property
    def maybe_same_as(self) -> list[str]: ...


def evaluate(decisions: Sequence[Decided], truth: dict[str, Truth]) -> Figures:
    """Compare decisions with the ground truth. Recall counts only known patients linked to the right UHID."""
    figures = Figures(registrations=len(decisions))
    for decision in decisions:
        expected = truth[decision.entry_uuid]
        kind = expected.kind
        figures.known += expected.uhid is not None
        if decision.decision == "matched":
            figures.matched += 1
            if decision.uhid == expected.uhid:
                figures.correct_links += 1
            else:
                figures.wrong_links += 1
                figures.wrong_by_kind[kind] += 1
        elif decision.decision == "review":
            figures.review += 1
            figures.review_by_kind[kind] += 1
        else:
            figures.new += 1
            figures.new_correct += expected.uhid is None
    _duplicate_figures(figures, decisions, truth)
    return figures


def _duplicate_figures(figures: Figures, decisions: Sequence[Decided], truth: dict[str, Truth]) -> None:
    by_person: dict[int, list[str]] = {}
    for entry, expected in truth.items():
        by_person.setdefault(expected.person, []).append(entry)
    same_as = {d.entry_uuid: set(d.same_as) for d in decisions}
    maybe = {d.entry_uuid: set(d.maybe_same_as) for d in decisions}
    for entries in by_person.values():
        for i, a in enumerate(entries):
            for b in entries[i + 1:]:
                figures.duplicate_pairs += 1
                figures.duplicate_pairs_found += b in same_as.get(a, set())
                figures.duplicate_pairs_offered += b in maybe.get(a, set()) and b not in same_as.get(a, set())
    for decision in decisions:
        for other in decision.same_as:
            if decision.entry_uuid < other and truth[other].person != truth[decision.entry_uuid].person:
                figures.duplicate_pairs_wrong += 1
