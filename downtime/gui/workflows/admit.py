"""Admit the patient on screen: the ward, the time and the usual doctor are filled in, so a bed and Ctrl+Enter do.

The bed field offers the ward's free beds ("14", Tab takes M7-14), the doctor field the doctors this PC knows.

Prints the admission record (IPD front sheet) and the wristband strip.
"""

from __future__ import annotations

from downtime.gui.workflows.printed import PrintingWorkflow


class AdmitScreen(PrintingWorkflow):
    kind = "encounter.admit"
    # What changes with every admission first; what this PC repeats after it, prefilled.
    fields = ("bed", "admitting_doctor", "ward", "admitted_at", "admission_type", "department", "unit",
              "provisional_diagnosis", "uhid_or_opd", "relative_name", "relative_phone", "relative_address",
              "id_proof_type", "id_proof_number", "mlc", "mlc_number", "police_station", "constable_name",
              "constable_number", "consent_language", "consent_language_other", "consent_given")
    now_fields = ("admitted_at",)
    remembered = ("admitting_doctor", "department", "unit", "ward")
    focus_field = "bed"
    doctor_fields = ("admitting_doctor",)
    bed_field = ("bed", "ward")

    def prefill(self) -> None:
        if self.session.config.ward:  # this PC's own ward beats the last one it admitted to
            self.form.fill({"ward": self.session.config.ward})
        if self.patient is None:
            return
        p = self.patient.patient
        self.fill_blank({"uhid_or_opd": p.uhid, "relative_name": p.relation})
        now = self.session.current_admission(p.id)
        if now is not None:
            self.warn(self.tr("Already admitted: {ward}, bed {bed}, since {since}. Admit again only if that "
                              "admission has ended.").format(ward=now.ward, bed=now.bed or "—",
                                                             since=(now.admitted_since or "?")[:16].replace("T", " ")))
