"""Discharge the patient on screen: normal, LAMA, referred or absconded, each printing its own slip.

The type of discharge comes first; only the fields of that type are shown (the LAMA reason
for a LAMA, the hospital for a referral), so the form stays short and the core's rules say
what is still missing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

from downtime.gui.workflows.printed import PrintingWorkflow
from downtime.gui.workflows.transfer import admission_refs
from downtime.kinds.schema import get_kind
from downtime.session import Session
from downtime.viewer import PatientSummary

# The kind's sections, by the discharge type that needs them.
SECTION_FOR_TYPE = {"referred": "referral", "lama": "lama", "absconded": "absconded"}


class DischargeScreen(PrintingWorkflow):
    kind = "encounter.discharge"
    fields = ("discharge_type", "discharged_at", "final_diagnosis", "condition_at_discharge", "referred_to",
              "referral_reason", "lama_reason", "lama_witness", "absconded_noticed_at", "police_informed",
              "follow_up", "medications_on_discharge", "discharging_doctor", "admission", "hmis_ip_number")
    now_fields = ("discharged_at",)
    remembered = ("discharging_doctor",)
    doctor_fields = ("discharging_doctor",)
    focus_field = "discharge_type"

    def __init__(self, session: Session, patient: PatientSummary | None, *, lang: str = "en",
                 parent: QWidget | None = None):
        super().__init__(session, patient, lang=lang, parent=parent)
        combo = self.form.rows["discharge_type"].widget
        assert isinstance(combo, QComboBox)
        combo.currentIndexChanged.connect(self._show_sections)
        self._show_sections()

    def prefill(self) -> None:
        if self.session.staff.role == "doctor":  # the doctor at the keyboard is the one discharging
            self.form.fill({"discharging_doctor": self.session.staff.name})
        if self.patient is None:
            return
        now = self.session.current_admission(self.patient.patient.id)
        if now is None:
            self.warn(self.tr("Not admitted, as far as the snapshot and this PC know. Check the patient."))
        else:
            self.fill_blank(admission_refs(now))

    def payload(self) -> dict[str, Any]:
        """Fields of a type no longer chosen (a LAMA reason typed before switching to normal) are left out."""
        values = super().payload()
        kind = get_kind(self.kind)
        return {k: v for k, v in values.items() if k not in self.form.rows or self._visible(kind.field(k).section)}

    def set_type(self, value: str) -> None:
        self.form.fill({"discharge_type": value})

    def _show_sections(self) -> None:
        kind = get_kind(self.kind)
        for name, row in self.form.rows.items():
            visible = self._visible(kind.field(name).section)
            row.label.setVisible(visible)
            row.widget.parentWidget().setVisible(visible)

    def _visible(self, section: str) -> bool:
        return not section or section == SECTION_FOR_TYPE.get(self.form.rows["discharge_type"].value() or "")
