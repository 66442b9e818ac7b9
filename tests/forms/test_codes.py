"""QR payloads and barcode values: ASCII, compact, and readable back into the same IDs."""

from __future__ import annotations

import json

import pytest

from forms.codes import QrData, code128, compact_id, id_from_barcode, parse_qr, qr_modules

ENTRY = QrData(kind="encounter.admit", human_id="AIIMS-042-00200-0", form="admission", form_version="1",
               entry_uuid="3f2b8c1e-9d4a-4c6e-b7f1-2a5d8e9c0b13", patient_id="AIIMS-042-00123-7")


def test_qr_payload_is_compact_sorted_ascii_json() -> None:
    payload = ENTRY.payload()
    assert payload.isascii() and " " not in payload
    assert list(json.loads(payload)) == sorted(json.loads(payload))
    assert parse_qr(payload) == ENTRY


def test_qr_payload_leaves_out_what_it_does_not_know() -> None:
    blank = QrData(kind="encounter.admit", human_id="AIIMS-042-00500-3", form="admission", form_version="1")
    assert json.loads(blank.payload()) == {"f": "admission", "id": "AIIMS-042-00500-3", "k": "encounter.admit",
                                           "v": "1"}
    same = QrData("mccd", "AIIMS-042-00301-4", "mccd_form4", "1", "u-1", patient_id="AIIMS-042-00301-4")
    assert "p" not in json.loads(same.payload())


def test_qr_refuses_non_ascii() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        qr_modules('{"name":"सुनीता"}')


def test_qr_symbols_are_square_with_finder_patterns() -> None:
    rows = qr_modules(QrData("mccd", "AIIMS-042-00301-4", "mccd_form4", "1", "u-1").payload())
    assert len(rows) == len(rows[0]) and (len(rows) - 17) % 4 == 0  # version v is 4v + 17 modules
    assert rows[0][:7] == rows[0][-7:] == "1111111" and rows[-1][:7] == "1111111"


def test_compact_ids_round_trip_and_other_ids_pass_through() -> None:
    assert compact_id("AIIMS-042-00123-7") == "AIIMS042001237"
    assert id_from_barcode("AIIMS042001237") == "AIIMS-042-00123-7"
    assert id_from_barcode("AIIMS-042-00123-7") == "AIIMS-042-00123-7"
    assert compact_id("100234567") == "100234567" == id_from_barcode("100234567")
    assert id_from_barcode("AIIMS042001238") == "AIIMS042001238"  # wrong check digit: not turned into an ID


def test_code128_shrinks_to_fit_but_not_below_what_prints() -> None:
    assert code128("AIIMS-042-00123-7", 200, 20).width == pytest.approx(200)
    # 222 modules plus 2 x 10 of quiet zone; with room to spare the bars still stay at 0.95 pt.
    assert code128("AIIMS-042-00123-7", 1000, 20).width == pytest.approx(242 * 0.95)
    with pytest.raises(ValueError, match="needs"):
        code128("AIIMS-042-00123-7", 100, 20)
