"""Form specs: all of them load against the kind schemas, and bad ones fail at load time."""

from __future__ import annotations

from pathlib import Path

import pytest

from downtime.kinds.schema import get_kind
from forms.fonts import FontsMissingError, find_font_files
from forms.spec import SPEC_DIR, SpecError, forms_for, load_spec, spec_names


@pytest.mark.parametrize("name", spec_names())
def test_every_spec_loads_and_names_only_its_kinds_fields(name: str) -> None:
    spec = load_spec(name)
    for section in spec.sections:
        known = get_kind(section.kind).field_names()
        assert set(section.field_names()) <= set(known)


def test_a_section_can_take_a_kind_section_whole() -> None:
    mlc = next(s for s in load_spec("admission").sections if s.heading.en.startswith("Medico-legal"))
    assert mlc.heading.hi == get_kind("encounter.admit").sections["mlc"]["label_hi"]


def test_variants_pick_their_entries() -> None:
    assert forms_for("encounter.discharge", {"discharge_type": "lama"}) == ["discharge_lama"]
    assert forms_for("mccd", {"form_variant": "form4a"}) == ["mccd_form4a"]
    assert forms_for("lab.request", {}) == ["lab_request", "specimen_label_50x25", "specimen_labels_a4"]


def copy_spec(tmp_path: Path, name: str, edit: tuple[str, str]) -> Path:
    text = (SPEC_DIR / f"{name}.toml").read_text(encoding="utf-8")
    assert edit[0] in text
    (tmp_path / f"{name}.toml").write_text(text.replace(*edit, 1), encoding="utf-8")
    return tmp_path


def test_unknown_field_fails_at_load(tmp_path: Path) -> None:
    specs = copy_spec(tmp_path, "admission", ('"admitted_at",', '"admitted_on",'))
    with pytest.raises(SpecError, match="admitted_on"):
        load_spec("admission", specs)


def test_a_slip_can_never_carry_the_cause_of_death(tmp_path: Path) -> None:
    slip_fields = '"certifier_name", "certifier_registration_number", "relative_copy_given_to",'
    leaky = '"certifier_name", "cause_a", "relative_copy_given_to",'
    specs = copy_spec(tmp_path, "mccd_form4", (slip_fields, leaky))
    with pytest.raises(SpecError, match="cause_a"):
        load_spec("mccd_form4", specs)


def test_missing_fonts_name_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(FontsMissingError, match="fonts-noto-core"):
        find_font_files([tmp_path])
