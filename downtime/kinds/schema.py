"""Entry kinds as data: one TOML file per kind, read into ``Kind`` and ``Field``.

Validation, the GUI entry screens, the printed forms and the CLI all read these
schemas, so a field and its English and Hindi labels are defined exactly once.
A site may add optional fields to a kind (``extra_fields``) without code changes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from downtime.errors import NotFoundError

KINDS_DIR = Path(__file__).parent

FIELD_TYPES = frozenset(
    {
        "text", "textarea", "int", "number", "date", "datetime", "time", "bool", "choice",
        "multichoice", "phone", "pincode", "abha", "aadhaar", "email", "uhid", "patient_ref",
        "entry_ref", "icd10", "list", "object",
    }
)


@dataclass(frozen=True)
class Choice:
    value: str
    label_en: str
    label_hi: str


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label_en: str
    label_hi: str
    required: bool = False
    help_en: str = ""
    help_hi: str = ""
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    section: str = ""

    def label(self, lang: str = "en") -> str:
        return self.label_hi if lang == "hi" else self.label_en

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: ``field`` is required when ``when_field`` has one of ``when_values``."""

    type: str
    field: str
    when_field: str
    when_values: tuple[Any, ...]
    message_en: str = ""
    message_hi: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    label_en: str
    label_hi: str
    fields: tuple[Field, ...]
    description_en: str = ""
    description_hi: str = ""
    issues_id: bool = False
    patient_field: str = ""
    clinical_time_field: str = ""
    roles: tuple[str, ...] = ()
    require_one_of: tuple[tuple[str, ...], ...] = ()
    rules: tuple[Rule, ...] = ()
    sections: dict[str, dict[str, str]] = field(default_factory=dict)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def label(self, lang: str = "en") -> str:
        return self.label_hi if lang == "hi" else self.label_en


def _field_from(raw: dict[str, Any], kind_name: str) -> Field:
    ftype = raw["type"]
    if ftype not in FIELD_TYPES:
        raise ValueError(f"kind {kind_name}: field {raw['name']} has unknown type {ftype!r}")
    choices = tuple(Choice(str(c["value"]), c["label_en"], c["label_hi"]) for c in raw.get("choices", ()))
    return Field(
        name=raw["name"],
        type=ftype,
        label_en=raw["label_en"],
        label_hi=raw["label_hi"],
        required=bool(raw.get("required", False)),
        help_en=raw.get("help_en", ""),
        help_hi=raw.get("help_hi", ""),
        choices=choices,
        min=raw.get("min"),
        max=raw.get("max"),
        max_length=raw.get("max_length"),
        section=raw.get("section", ""),
    )


def _kind_from(raw: dict[str, Any], extra_fields: list[dict[str, Any]] = ()) -> Kind:  # type: ignore[assignment]
    name = raw["name"]
    fields = [_field_from(f, name) for f in raw.get("fields", [])]
    # A site's extra fields are always optional: a site must not make a national form stricter.
    fields += [_field_from({**f, "required": False}, name) for f in extra_fields]
    rules = tuple(
        Rule(r["type"], r["field"], r["when_field"], tuple(r["when_values"]), r.get("message_en", ""),
             r.get("message_hi", ""))
        for r in raw.get("rules", [])
    )
    return Kind(
        name=name,
        label_en=raw["label_en"],
        label_hi=raw["label_hi"],
        fields=tuple(fields),
        description_en=raw.get("description_en", ""),
        description_hi=raw.get("description_hi", ""),
        issues_id=bool(raw.get("issues_id", False)),
        patient_field=raw.get("patient_field", ""),
        clinical_time_field=raw.get("clinical_time_field", ""),
        roles=tuple(raw.get("roles", ())),
        require_one_of=tuple(tuple(g) for g in raw.get("require_one_of", ())),
        rules=rules,
        sections=dict(raw.get("sections", {})),
    )


@cache
def _load_raw(name: str) -> dict[str, Any]:
    path = KINDS_DIR / f"{name}.toml"
    if not path.is_file():
        raise NotFoundError(f"there is no entry kind called {name!r}; known kinds: {', '.join(kind_names())}")
    with path.open("rb") as fh:
        return tomllib.load(fh)


@cache
def kind_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in KINDS_DIR.glob("*.toml")))


_site_extra_fields: dict[str, list[dict[str, Any]]] = {}


def set_site_extra_fields(extra: dict[str, list[dict[str, Any]]]) -> None:
    """Install a site's optional extra fields per kind (from its site configuration)."""
    _site_extra_fields.clear()
    _site_extra_fields.update(extra)
    get_kind.cache_clear()


@cache
def get_kind(name: str) -> Kind:
    return _kind_from(_load_raw(name), _site_extra_fields.get(name, []))


def all_kinds() -> list[Kind]:
    return [get_kind(n) for n in kind_names()]
