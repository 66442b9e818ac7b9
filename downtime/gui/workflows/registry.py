"""Every ward workflow in one list: the main window and the patient screen turn it into buttons and shortcuts.

A workflow screen is any QWidget class that

* is built as ``screen_class(session, patient, lang=lang)``, where ``patient`` is the
  ``PatientSummary`` it is about (None when ``needs_patient`` is False), and
* emits ``finished(object)`` once: the Entry it saved (after printing its forms), or None when cancelled.

``WorkflowScreen`` (``workflows/base.py``) does both. ``roles`` are the staff roles that see the
action enabled; they repeat the entry kinds' ``roles`` on purpose, because the core enforces them
anyway and a button a role may not use should not be offered.

Screens built by another part of the team are imported lazily and skipped while their module
does not exist yet, so this list works before they land (see ``_optional``); once every module is
in, those entries can become plain imports.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QWidget

from downtime.kinds.schema import get_kind


@dataclass(frozen=True)
class Workflow:
    key: str
    label_en: str
    label_hi: str
    shortcut: str                  # a QKeySequence string, e.g. "F3"
    screen_class: type[QWidget]
    needs_patient: bool
    roles: tuple[str, ...]         # empty: every role

    def label(self, lang: str = "en") -> str:
        return self.label_hi if lang == "hi" else self.label_en

    def allowed(self, role: str) -> bool:
        return not self.roles or role in self.roles


def _from_kind(key: str, kind: str, shortcut: str, screen_class: type[QWidget] | None, *,
               needs_patient: bool = True, label_en: str = "", label_hi: str = "") -> list[Workflow]:
    """A workflow labelled and permitted like its entry kind; an empty list while its screen is missing."""
    if screen_class is None:
        return []
    schema = get_kind(kind)
    return [Workflow(key, label_en or schema.label_en, label_hi or schema.label_hi, shortcut, screen_class,
                     needs_patient, schema.roles)]


def _optional(module: str, name: str) -> type[QWidget] | None:
    """``module.name`` if the module exists yet; a bug inside an existing module still raises."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None
    return getattr(loaded, name, None)


@cache
def workflows() -> tuple[Workflow, ...]:
    """The workflows in the order their buttons appear; shortcuts are unique."""
    from downtime.gui.workflows.admit import AdmitScreen
    from downtime.gui.workflows.discharge import DischargeScreen
    from downtime.gui.workflows.register import NewbornScreen, RegisterScreen
    from downtime.gui.workflows.transfer import TransferScreen

    found = [
        *_from_kind("register", "patient.register", "F2", RegisterScreen, needs_patient=False,
                    label_en="Register new patient", label_hi="नया रोगी पंजीकरण"),
        *_from_kind("newborn", "patient.register", "Shift+F2", NewbornScreen,
                    label_en="Newborn (B/O)", label_hi="नवजात (B/O)"),
        *_from_kind("admit", "encounter.admit", "F3", AdmitScreen, label_en="Admit", label_hi="भर्ती करें"),
        *_from_kind("transfer", "encounter.transfer", "F4", TransferScreen, label_en="Transfer",
                    label_hi="स्थानांतरण"),
        *_from_kind("discharge", "encounter.discharge", "F5", DischargeScreen, label_en="Discharge",
                    label_hi="डिस्चार्ज"),
        # -- built by the other helper (death, birth, still birth, lab): keys and shortcuts reserved here --
        *_from_kind("death", "encounter.death", "F6", _optional("downtime.gui.workflows.death", "DeathFlow")),
        *_from_kind("birth", "birth.report", "F7", _optional("downtime.gui.workflows.birth", "BirthFlow")),
        *_from_kind("stillbirth", "stillbirth.report", "F8",
                    _optional("downtime.gui.workflows.birth", "StillbirthFlow")),
        *_from_kind("lab_request", "lab.request", "F9",
                    _optional("downtime.gui.workflows.lab_request", "LabRequestScreen")),
        *_from_kind("lab_result", "lab.result", "F10",
                    _optional("downtime.gui.workflows.lab_result", "LabResultScreen"), needs_patient=False),
        # -- end of the other helper's workflows --
    ]
    assert len({w.shortcut for w in found}) == len(found), "two workflows share a shortcut"
    return tuple(found)


def workflow(key: str) -> Workflow:
    return next(w for w in workflows() if w.key == key)


# Shortcuts that are not workflows, listed in the F1 overlay with the workflows'. Marked for lupdate
# here; the overlay translates them in the "Shortcuts" context when it is shown.
SHORTCUT_HELP: tuple[tuple[str, str], ...] = (
    ("F1", QT_TRANSLATE_NOOP("Shortcuts", "Show or hide this list of shortcuts")),
    ("Ctrl+F", QT_TRANSLATE_NOOP("Shortcuts", "Go to the search box")),
    ("Enter", QT_TRANSLATE_NOOP("Shortcuts", "In the search box: open the highlighted patient, or the scanned code")),
    ("Up / Down", QT_TRANSLATE_NOOP("Shortcuts", "Move through search results and lists")),
    ("F11", QT_TRANSLATE_NOOP("Shortcuts", "Ward census")),
    ("F12", QT_TRANSLATE_NOOP("Shortcuts", "Correct or cancel the selected record")),
    ("Ctrl+P", QT_TRANSLATE_NOOP("Shortcuts", "Print the patient summary or the census sheet on screen")),
    ("Ctrl+R", QT_TRANSLATE_NOOP("Shortcuts", "Print the lab report of the lab request or result selected")),
    ("Ctrl+Enter", QT_TRANSLATE_NOOP("Shortcuts", "Save the form on screen, and print its forms")),
    ("Tab / Shift+Tab", QT_TRANSLATE_NOOP("Shortcuts", "Next / previous field")),
    ("Esc", QT_TRANSLATE_NOOP("Shortcuts", "Cancel the form, or go back to the home screen")),
    ("Ctrl+L", QT_TRANSLATE_NOOP("Shortcuts", "Log out")),
    ("Ctrl+Shift+L", QT_TRANSLATE_NOOP("Shortcuts", "Switch between English and Hindi")),
    ("Ctrl+Shift+F", QT_TRANSLATE_NOOP("Shortcuts", "Large text on or off")),
)
