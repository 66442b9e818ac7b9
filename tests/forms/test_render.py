"""Every form, rendered from a realistic entry, reads back: its text, its QR code and its Code128."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from downtime import ids
from downtime.errors import DowntimeError
from forms.codes import id_from_barcode, parse_qr
from forms.examples import EXAMPLES, HUMAN_IDS, MOHAN, PATIENTS, SHEETS, UUIDS, blank_ctx, example_ctx
from forms.render import FormJob, render_blank_pack, render_form, render_pack
from forms.spec import load_spec, spec_names
from tests.forms.conftest import decode, page_png, pdf_texts


@dataclass(frozen=True)
class Case:
    form: str
    texts: tuple[str, ...]  # Latin text that must read back from the PDF
    barcode: str  # the ID the Code128 must decode to
    dpi: int = 150
    qr: bool = True
    sheet: bool = True  # A4 with page furniture, rather than label stock

    @property
    def kind(self) -> str:
        return EXAMPLES[self.form].kind


SUNITA_ID, MOHAN_ID = "AIIMS-042-00123-7", "AIIMS-042-00301-4"
CASES = [
    Case("admission", ("Admission record (IPD front sheet)", "Sunita Devi", "Medicine Ward 7", "Hauz Khas",
                       "Rajesh Yadav", "IP number", "AIIMS-042-00200-0", "Community-acquired pneumonia"), SUNITA_ID),
    Case("lab_request", ("Laboratory requisition", "Sunita Devi", "Blood culture", "Dr. Anil Sharma",
                         "Accession number", "05-01-2025 15:10"), SUNITA_ID),
    Case("specimen_labels_a4", ("Sunita Devi", "Serum", "Urgent", "AIIMS-042-00201-6"), "AIIMS-042-00201-6",
         sheet=False),
    # Thermal label printers print at 203 or 300 dpi; at 150 dpi a label-width barcode has too few pixels a bar.
    Case("specimen_label_50x25", ("Sunita Devi", "Serum", "AIIMS-042-00201-6"), "AIIMS-042-00201-6", dpi=300,
         qr=False, sheet=False),
    Case("wristband_strip", ("Sunita Devi", "Medicine Ward 7", SUNITA_ID), SUNITA_ID, sheet=False),
    Case("wristband_newborn", ("B/O Sunita Devi", SUNITA_ID, "AIIMS-042-00202-8"), "AIIMS-042-00202-8",
         sheet=False),
    Case("rbd_form1_birth", ("Form No. 1: Birth report", "B/O Sunita Devi", "Ramesh Kumar",
                             "AIIMS New Delhi, Labour Room", "06-01-2025", "South Delhi"), "AIIMS-042-00202-8"),
    Case("rbd_form2_death", ("Form No. 2: Death report", "Mohan Lal", "Kamla Devi", "Retired clerk",
                             "Chronic obstructive pulmonary disease"), MOHAN_ID),
    Case("rbd_form3_stillbirth", ("Form No. 3: Still birth report", "Sunita Devi", "Placental abruption",
                                  "Still birth ID", "AIIMS-042-00203-7"), SUNITA_ID),
    Case("mccd_form4", ("Form No. 4: Medical certificate of cause of death", "Mohan Lal", "Septic shock",
                        "Lobar pneumonia", "Chronic obstructive pulmonary disease", "Type 2 diabetes mellitus",
                        "DMC/R/12345", "Cut here", "Manner of death"), MOHAN_ID),
    Case("mccd_form4a", ("Form No. 4A", "Mohan Lal", "Septic shock", "DMC/R/12345", "Cut here"), MOHAN_ID),
    Case("transfer_slip", ("Transfer slip", "Sunita Devi", "MICU", "non-invasive ventilation"), SUNITA_ID),
    Case("discharge_slip", ("Discharge slip", "Sunita Devi", "Amoxicillin-clavulanate", "Medicine OPD"), SUNITA_ID),
    Case("discharge_lama", ("left against medical advice (LAMA)", "Wants treatment near home",
                            "Ramesh Kumar (husband)"), SUNITA_ID),
    Case("discharge_referred", ("Referral slip", "Safdarjung Hospital, Cardiology"), SUNITA_ID),
    Case("discharge_absconded", ("Absconded patient note", "10-01-2025 06:15"), SUNITA_ID),
]


@pytest.fixture(scope="session")
def rendered(out_dir: Path) -> dict[str, Path]:
    return {case.form: render_form(case.form, example_ctx(case.form), out_dir / f"{case.form}.pdf") for case in CASES}


def test_every_form_has_a_case() -> None:
    # Sheets (ward census, patient summary) print snapshot data, not entries: tests/forms/test_census.py.
    assert {case.form for case in CASES} == set(spec_names()) - set(SHEETS) == set(EXAMPLES)


def page_texts(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as doc:
        return [page.extract_text() or "" for page in doc.pages]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.form)
def test_text_reads_back(case: Case, rendered: dict[str, Path]) -> None:
    pages = page_texts(rendered[case.form])
    text = "\n".join(pages)
    for expected in case.texts:
        assert expected in text, f"{expected!r} not found in {case.form}"
    if case.sheet:
        for number, page in enumerate(pages, start=1):
            assert "DOWNTIME" in page
            assert f"Page {number} of {len(pages)}" in page
            assert PATIENTS[case.kind]["name"] in page and case.barcode in page  # two identifiers, every page
            assert f"{load_spec(case.form).name} v1" in page


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.form)
def test_codes_decode_to_the_entry(case: Case, rendered: dict[str, Path]) -> None:
    codes = decode(page_png(rendered[case.form], dpi=case.dpi))
    assert codes.code128, "no Code128 decoded"
    assert {id_from_barcode(text) for text in codes.code128} == {case.barcode}
    if not case.qr:
        return
    assert codes.qr, "no QR code decoded"
    for payload in codes.qr:
        assert payload.isascii()
        qr = parse_qr(payload)
        assert qr.entry_uuid == UUIDS[case.kind]
        assert qr.kind == case.kind
        assert qr.human_id == (HUMAN_IDS[case.kind] or PATIENTS[case.kind]["id"])
        assert qr.patient_id == PATIENTS[case.kind]["id"]
        assert (qr.form, qr.form_version) == (case.form, load_spec(case.form).version)


def test_every_page_of_a_long_form_carries_the_qr(rendered: dict[str, Path]) -> None:
    pdf = rendered["admission"]
    last = len(PdfReader(pdf).pages)  # pypdf: the page count as the PDF itself declares it
    assert last > 1
    assert [parse_qr(p).entry_uuid for p in decode(page_png(pdf, page=last)).qr] == [UUIDS["encounter.admit"]]


def test_mccd_relatives_slip_never_shows_the_cause_of_death(rendered: dict[str, Path]) -> None:
    with pdfplumber.open(rendered["mccd_form4"]) as doc:
        for number, page in enumerate(doc.pages, start=1):
            cut = [w for w in page.extract_words() if w["text"] == "Cut"]
            if cut:
                slip = page.crop((0, cut[0]["top"], page.width, page.height)).extract_text()
                break
        else:
            pytest.fail("the MCCD has no cut line")
    assert "Mohan Lal" in slip and "DMC/R/12345" in slip and MOHAN_ID in slip
    # The slip carries its own barcode, since it leaves the page's strip behind.
    assert decode(page_png(rendered["mccd_form4"], page=number)).code128 == [MOHAN_ID, MOHAN_ID]
    for secret in ("Septic", "pneumonia", "obstructive", "diabetes", "R57", "J18", "J44", "E11", "Natural"):
        assert secret not in slip


def test_reprint_says_so_on_every_page(out_dir: Path) -> None:
    note = "corrected entry, current version"
    pdf = render_form("admission", example_ctx("admission", reprint_note=note), out_dir / "reprint.pdf")
    assert all(f"REPRINT / पुनर्मुद्रण: {note}".split(" / ")[0] in text and note in text for text in page_texts(pdf))


def test_blank_pack_of_50_has_50_distinct_valid_ids_each_numbered_per_form(out_dir: Path) -> None:
    reserved = [str(ids.HumanId("AIIMS", 42, serial)) for serial in range(500, 550)]
    pdf = render_blank_pack("admission", blank_ctx(), reserved, out_dir / "blank-pack.pdf")
    pages = pdf_texts(pdf)
    per_form = len(pages) // 50
    assert len(pages) == 50 * per_form
    firsts = pages[::per_form]
    printed = [next(i for i in reserved if i in text) for text in firsts]
    assert printed == reserved and all(ids.validate(i) for i in printed)
    assert all(f"Page 1 of {per_form}" in text for text in firsts)
    assert "Sunita" not in "".join(pages)  # blank really means blank
    codes = decode(page_png(pdf, page=len(pages) - per_form + 1))
    assert [id_from_barcode(c) for c in codes.code128] == [reserved[-1]]
    qr = parse_qr(codes.qr[0])
    assert (qr.human_id, qr.entry_uuid, qr.kind) == (reserved[-1], None, "encounter.admit")


def test_census_style_pack_keeps_each_patient_on_their_own_pages(out_dir: Path) -> None:
    jobs = [FormJob("mccd_form4", example_ctx("mccd_form4")), FormJob("admission", example_ctx("admission"))]
    pages = pdf_texts(render_pack(jobs, out_dir / "pack.pdf"))
    mohan = [p for p in pages if MOHAN["name"] in p and "Form No. 4" in p]
    assert mohan and all(f"of {len(mohan)}" in p for p in mohan)
    assert all("Sunita Devi" not in p for p in mohan)


def test_refuses_what_it_cannot_print(out_dir: Path) -> None:
    with pytest.raises(DowntimeError, match="needs an entry"):
        render_form("admission", blank_ctx(), out_dir / "x.pdf")
    with pytest.raises(DowntimeError, match="same paper"):
        render_pack([FormJob("admission", example_ctx("admission")),
                     FormJob("specimen_label_50x25", example_ctx("specimen_label_50x25"))], out_dir / "y.pdf")
    with pytest.raises(DowntimeError, match="no form called"):
        render_form("form_99", example_ctx("admission"), out_dir / "z.pdf")
    with pytest.raises(DowntimeError, match="discharge_slip"):  # a normal discharge is not a LAMA
        render_form("discharge_lama", example_ctx("discharge_slip"), out_dir / "w.pdf")
