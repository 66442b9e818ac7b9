"""Form specs: one TOML file per printed form, saying only how an entry kind's fields sit on paper.

A spec never defines a field, its label or its choices: those come from the
entry kind's schema (``downtime/kinds/<kind>.toml``), so a label corrected there
is corrected on every screen and every form. What a spec owns is the paper:
stock, title, section headings, which fields go where and how wide, statements
(consent text), writing lines, signature lines and detachable slips.
``docs/forms/README.md`` describes the format.

Loading checks every field name against the kind, so a renamed field fails when
the spec is loaded (in the tests), not in a ward at 3 a.m.

A *sheet* (the ward census, the patient summary) prints what the snapshot viewer
returns rather than one entry: its spec names a data source (``data``) instead
of a kind, and lays the source's attributes out in ``blocks``, checked against
``forms/sheet_data.py`` in the same way.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from downtime.errors import DowntimeError, NotFoundError
from downtime.kinds.schema import Field, Kind, get_kind

SPEC_DIR = Path(__file__).parent / "specs"
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4}
PATIENT_KIND = "patient.register"

Source = Literal["entry", "patient"]
FieldStyle = Literal["auto", "checkboxes", "value"]
ColumnFormat = Literal["text", "date", "datetime", "sex"]
COLUMN_FORMATS = ("text", "date", "datetime", "sex")


class SpecError(DowntimeError):
    """A form spec is malformed or names something its entry kind does not have."""


@dataclass(frozen=True)
class FieldSlot:
    """One field's place in a section grid."""

    name: str
    span: int = 1  # grid columns it takes
    lines: int = 0  # writing lines in its box; 0 picks one from the field type
    style: FieldStyle = "auto"  # choices as tick boxes, or just the chosen value
    help: bool = False  # print the kind's help text under the label


@dataclass(frozen=True)
class Text:
    en: str
    hi: str


@dataclass(frozen=True)
class TableColumn:
    en: str
    hi: str
    width: float  # share of the section width


@dataclass(frozen=True)
class TableSpec:
    """A grid with one row per group of fields, e.g. MCCD Part I: cause, interval, ICD-10 code."""

    columns: tuple[TableColumn, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    heading: Text
    kind: str
    source: Source
    columns: int = 2
    fields: tuple[FieldSlot, ...] = ()
    text: Text | None = None  # a statement printed before the fields (consent wording, instructions)
    table: TableSpec | None = None
    writing_lines: int = 0  # ruled lines for handwriting after the fields
    signatures: tuple[Text, ...] = ()
    slip: bool = False  # detachable: printed below a cut line, with its own identifiers
    confidential: bool = False  # e.g. the cause of death: never allowed on a slip
    page_break_before: bool = False

    def field_names(self) -> list[str]:
        names = [slot.name for slot in self.fields]
        if self.table:
            names += [name for row in self.table.rows for name in row]
        return names


@dataclass(frozen=True)
class LabelStock:
    """Label stock: a sheet of ``columns`` x ``rows`` labels, or a single label as its own page."""

    page_size: tuple[float, float]
    columns: int
    rows: int
    label_size: tuple[float, float]
    origin: tuple[float, float]  # top-left corner of the first label, from the page's top-left
    pitch: tuple[float, float]  # distance from one label's corner to the next, across and down
    inset: float  # space inside each label that stays blank (printers cannot print to the cut)
    copies: int  # labels printed per entry
    fields: tuple[str, ...]  # values printed on each label, after the identifiers
    compact_barcode: bool  # drop the hyphens so the barcode fits narrow stock (codes.compact_id)
    qr: bool
    barcode: Literal["entry", "patient"] = "entry"  # the entry's own number (accession) or the patient's ID
    cut_guides: bool = False  # dashed outlines, for strips cut from plain paper rather than die-cut labels

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


@dataclass(frozen=True)
class When:
    """A form variant prints only entries whose ``field`` has one of ``values`` (e.g. the LAMA slip)."""

    field: str
    values: tuple[str, ...]

    def matches(self, payload: dict[str, Any]) -> bool:
        return str(payload.get(self.field)) in self.values


@dataclass(frozen=True)
class Column:
    """One column of a sheet's list, or one labelled value of its details."""

    label: Text
    fields: tuple[str, ...] = ()  # attributes shown in it, joined by ``join``; none = room to write
    width: float = 0.0  # share of the block's width (lists only)
    format: ColumnFormat = "text"
    join: str = "\n"


@dataclass(frozen=True)
class SheetBlock:
    """A block of a sheet: the labelled values of one item (``item``), or a table with a row per list entry."""

    heading: Text
    source: str  # the item or list attribute of the data ("" is the data object itself)
    is_list: bool
    columns: tuple[Column, ...]
    per_row: int = 3  # details: labelled values side by side
    note: Text | None = None  # printed under the heading, before the values
    empty: Text | None = None  # printed instead when the item is missing or the list is empty
    highlight: When | None = None  # rows printed bold and shaded (abnormal results, high-risk allergies)
    blank_rows: int = 0  # empty rows to write in after the list (a census: admissions during the outage)


@dataclass(frozen=True)
class FormSpec:
    name: str
    version: str
    kind: str
    title: Text
    human_id_label: Text  # what the entry's own number is called on this form (IP number, ...)
    page_size: tuple[float, float]
    sections: tuple[Section, ...] = ()
    labels: LabelStock | None = None
    when: When | None = None
    source_path: Path | None = None
    data: str = ""  # a sheet's data source (sheet_data.SOURCES); empty for an entry form
    blocks: tuple[SheetBlock, ...] = ()

    @property
    def is_labels(self) -> bool:
        return self.labels is not None

    @property
    def is_sheet(self) -> bool:
        return bool(self.data)

    def kind_schema(self) -> Kind:
        return get_kind(self.kind)

    def prints(self, kind: str, payload: dict[str, Any]) -> bool:
        """True if an entry of ``kind`` with ``payload`` belongs on this form."""
        return kind == self.kind and (self.when is None or self.when.matches(payload))


def forms_for(kind: str, payload: dict[str, Any], spec_dir: Path = SPEC_DIR) -> list[str]:
    """The forms an entry can be printed on, e.g. only the LAMA variant of the discharge slip for a LAMA."""
    return [name for name in spec_names(spec_dir) if load_spec(name, spec_dir).prints(kind, payload)]


def spec_names(spec_dir: Path = SPEC_DIR) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in spec_dir.glob("*.toml")))


@cache
def load_spec(name: str, spec_dir: Path = SPEC_DIR) -> FormSpec:
    path = spec_dir / f"{name}.toml"
    if not path.is_file():
        raise NotFoundError(f"there is no form called {name!r}; known forms: {', '.join(spec_names(spec_dir))}")
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    try:
        spec = _form_from(raw, path)
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecError(f"form spec {path.name} is malformed: {exc}") from exc
    _check(spec)
    return spec


def field_of(section: Section, name: str) -> Field:
    return get_kind(section.kind).field(name)


# ---- reading TOML ----

def _text(raw: dict[str, Any], prefix: str) -> Text:
    return Text(raw.get(f"{prefix}_en", ""), raw.get(f"{prefix}_hi", ""))


def _slot(raw: str | dict[str, Any]) -> FieldSlot:
    if isinstance(raw, str):
        return FieldSlot(raw)
    return FieldSlot(raw["name"], int(raw.get("span", 1)), int(raw.get("lines", 0)),
                     raw.get("style", "auto"), bool(raw.get("help", False)))


def _section(raw: dict[str, Any], form_kind: str) -> Section:
    kind_name = raw.get("kind", form_kind)
    kind = get_kind(kind_name)
    from_section = raw.get("from_section", "")
    heading = _text(raw, "heading")
    if from_section and not (heading.en or heading.hi):
        labels = kind.sections.get(from_section, {})
        heading = Text(labels.get("label_en", ""), labels.get("label_hi", ""))
    if "fields" in raw:
        fields = tuple(_slot(f) for f in raw["fields"])
    elif from_section and "table" not in raw:
        # A kind section taken whole, so a field a site adds to that section appears on the form too.
        fields = tuple(FieldSlot(f.name) for f in kind.fields if f.section == from_section)
    else:
        fields = ()
    table = None
    if "table" in raw:
        table = TableSpec(
            columns=tuple(TableColumn(c["en"], c["hi"], float(c["width"])) for c in raw["table"]["columns"]),
            rows=tuple(tuple(row) for row in raw["table"]["rows"]),
        )
    text = _text(raw, "text")
    return Section(
        heading=heading,
        kind=kind_name,
        source=raw.get("source", "patient" if kind_name == PATIENT_KIND and form_kind != PATIENT_KIND else "entry"),
        columns=int(raw.get("columns", 2)),
        fields=fields,
        text=text if (text.en or text.hi) else None,
        table=table,
        writing_lines=int(raw.get("writing_lines", 0)),
        signatures=tuple(Text(s["en"], s["hi"]) for s in raw.get("signatures", ())),
        slip=bool(raw.get("slip", False)),
        confidential=bool(raw.get("confidential", False)),
        page_break_before=bool(raw.get("page_break_before", False)),
    )


def _page_size(raw: Any) -> tuple[float, float]:
    if isinstance(raw, str):
        return PAGE_SIZES[raw]
    width_mm, height_mm = raw
    return (float(width_mm) * mm, float(height_mm) * mm)


def _labels(raw: dict[str, Any], page_size: tuple[float, float]) -> LabelStock:
    label_size = (raw["label_width_mm"] * mm, raw["label_height_mm"] * mm)
    return LabelStock(
        page_size=page_size,
        columns=int(raw.get("columns", 1)),
        rows=int(raw.get("rows", 1)),
        label_size=label_size,
        origin=(raw.get("left_mm", 0) * mm, raw.get("top_mm", 0) * mm),
        pitch=(raw.get("pitch_x_mm", raw["label_width_mm"]) * mm, raw.get("pitch_y_mm", raw["label_height_mm"]) * mm),
        inset=raw.get("inset_mm", 2) * mm,
        copies=int(raw.get("copies", 1)),
        fields=tuple(raw.get("fields", ())),
        compact_barcode=bool(raw.get("compact_barcode", False)),
        qr=bool(raw.get("qr", False)),
        barcode=raw.get("barcode", "entry"),
        cut_guides=bool(raw.get("cut_guides", False)),
    )


def _column(raw: dict[str, Any]) -> Column:
    fields = raw.get("fields", [raw["field"]] if "field" in raw else [])
    return Column(Text(raw.get("en", ""), raw.get("hi", "")), tuple(fields), float(raw.get("width", 0)),
                  raw.get("format", "text"), raw.get("join", "\n"))


def _optional_text(raw: dict[str, Any], prefix: str) -> Text | None:
    text = _text(raw, prefix)
    return text if (text.en or text.hi) else None


def _block(raw: dict[str, Any]) -> SheetBlock:
    highlight = raw.get("highlight")
    return SheetBlock(
        heading=_text(raw, "heading"),
        source=raw["list"] if "list" in raw else raw.get("item", ""),
        is_list="list" in raw,
        columns=tuple(_column(c) for c in raw["columns"]),
        per_row=int(raw.get("per_row", 3)),
        note=_optional_text(raw, "note"),
        empty=_optional_text(raw, "empty"),
        highlight=When(highlight["field"], tuple(str(v) for v in highlight["values"])) if highlight else None,
        blank_rows=int(raw.get("blank_rows", 0)),
    )


def _form_from(raw: dict[str, Any], path: Path) -> FormSpec:
    kind = raw.get("kind", "")
    if not raw.get("data"):
        get_kind(kind)  # fails early, naming the known kinds, if the spec names a kind that does not exist
    page_size = _page_size(raw.get("page", "A4"))
    return FormSpec(
        name=raw["name"],
        version=str(raw["version"]),
        kind=kind,
        title=_text(raw, "title"),
        human_id_label=Text(raw.get("human_id_en", "Form number"), raw.get("human_id_hi", "प्ररूप संख्या")),
        page_size=page_size,
        sections=tuple(_section(s, kind) for s in raw.get("sections", ())),
        labels=_labels(raw["labels"], page_size) if "labels" in raw else None,
        when=When(raw["when"]["field"], tuple(str(v) for v in raw["when"]["values"])) if "when" in raw else None,
        source_path=path,
        data=raw.get("data", ""),
        blocks=tuple(_block(b) for b in raw.get("blocks", ())),
    )


# ---- checks ----

def _check(spec: FormSpec) -> None:
    where = spec.source_path.name if spec.source_path else spec.name
    if spec.source_path and spec.name != spec.source_path.stem:
        raise SpecError(f"form spec {where} says its name is {spec.name!r}; the file name and the name must match")
    if spec.is_sheet:
        _check_sheet(spec, where)
        return
    for section in spec.sections:
        kind = get_kind(section.kind)
        for name in section.field_names():
            if name not in kind.field_names():
                raise SpecError(f"form spec {where}: section {section.heading.en!r} names field {name!r}, "
                                f"which entry kind {kind.name} does not have")
        if section.table and any(len(row) != len(section.table.columns) for row in section.table.rows):
            raise SpecError(f"form spec {where}: every row of the table in {section.heading.en!r} needs "
                            f"{len(section.table.columns)} fields, one per column")
    if spec.when and spec.when.field not in spec.kind_schema().field_names():
        raise SpecError(f"form spec {where}: 'when' names field {spec.when.field!r}, which {spec.kind} does not have")
    if spec.labels:
        kind = spec.kind_schema()
        unknown = [f for f in spec.labels.fields if f not in kind.field_names()]
        if unknown:
            raise SpecError(f"form spec {where}: labels name fields {unknown} that {kind.name} does not have")
    _check_slips(spec, where)


def _check_slips(spec: FormSpec, where: str) -> None:
    """A slip goes home with the relatives: no field of a confidential section may appear on it."""
    secret = {(s.kind, n) for s in spec.sections if s.confidential for n in s.field_names()}
    for section in spec.sections:
        if not section.slip:
            continue
        leaked = sorted(n for n in section.field_names() if (section.kind, n) in secret)
        if leaked or section.confidential:
            raise SpecError(f"form spec {where}: the detachable slip {section.heading.en!r} must not show "
                            f"confidential fields {leaked or 'of its own'}")


def _check_sheet(spec: FormSpec, where: str) -> None:
    """Every block and column of a sheet must name something the viewer really returns."""
    from forms.sheet_data import SOURCES  # the viewer is only needed by specs that print sheets

    source = SOURCES.get(spec.data)
    if source is None:
        raise SpecError(f"form spec {where}: data {spec.data!r} is not one of {', '.join(sorted(SOURCES))}")
    for block in spec.blocks:
        table = source.lists if block.is_list else source.items
        if block.source not in table:
            raise SpecError(f"form spec {where}: block {block.heading.en!r} names {block.source!r}; "
                            f"{spec.data} has {', '.join(repr(n) for n in table)}")
        known = source.attributes(table[block.source])
        names = [n for c in block.columns for n in c.fields] + ([block.highlight.field] if block.highlight else [])
        unknown = sorted(set(names) - known)
        if unknown:
            raise SpecError(f"form spec {where}: block {block.heading.en!r} names attributes {unknown} "
                            f"that {table[block.source].__name__} does not have")
        bad_format = sorted({c.format for c in block.columns} - set(COLUMN_FORMATS))
        if bad_format:
            raise SpecError(f"form spec {where}: block {block.heading.en!r} uses formats {bad_format}; "
                            f"known formats: {', '.join(COLUMN_FORMATS)}")
        if block.is_list and sum(c.width for c in block.columns) > 1.001:
            raise SpecError(f"form spec {where}: the columns of {block.heading.en!r} are wider than the page")
