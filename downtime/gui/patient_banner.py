"""The patient banner: who this screen is about, always visible on every patient screen.

Two identifiers, age/sex and allergies at the top of every patient screen is the
oldest wrong-patient safeguard in hospital software; allergies are red, and an
empty list says "not recorded", never "none".
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from downtime.gui.style import ALERT, NEUTRAL, WARN, set_tone
from downtime.viewer import PatientSummary


def _tr(text: str) -> str:
    return QCoreApplication.translate("PatientBanner", text)


class PatientBanner(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("patientBanner")
        self.name_label = QLabel()
        self.name_label.setObjectName("patientName")
        self.ids_label = QLabel()
        self.age_sex_label = QLabel()
        self.allergy_label = QLabel()
        self.allergy_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.name_label)
        top.addWidget(self.age_sex_label)
        top.addStretch(1)
        top.addWidget(self.ids_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.allergy_label)

    def show_patient(self, summary: PatientSummary) -> None:
        p = summary.patient
        self.name_label.setText(p.name)
        self.age_sex_label.setText(f"{p.age or '?'} / {_sex(p.sex)}" + (f"   {p.relation}" if p.relation else ""))
        ids = [f"UHID {p.uhid}" if p.uhid else "",
               _tr("Downtime ID {id}").format(id=p.downtime_id) if p.downtime_id else ""]
        self.ids_label.setText("   ".join(i for i in ids if i))
        self._show_allergies(summary)

    def _show_allergies(self, summary: PatientSummary) -> None:
        status = summary.allergy_status
        if status == "recorded":
            names = ", ".join(a.substance + (f" ({a.reaction})" if a.reaction else "")
                              for a in summary.allergies if not a.no_known_allergy)
            self.allergy_label.setText(_tr("ALLERGIES: {names}").format(names=names))
            set_tone(self.allergy_label, ALERT)
        elif status == "no known allergies":
            self.allergy_label.setText(_tr("No known allergies (recorded in the HMIS)"))
            set_tone(self.allergy_label, NEUTRAL)
        else:
            self.allergy_label.setText(_tr("Allergies not recorded: ask the patient or relative"))
            set_tone(self.allergy_label, WARN)


def _sex(sex: str | None) -> str:
    return {"male": "M", "female": "F", "other": "O"}.get(sex or "", "?")
