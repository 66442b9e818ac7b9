"""Transfer the patient on screen to another ward or bed; where they are now is filled in. Prints the transfer slip."""

from __future__ import annotations

from downtime.gui.workflows.printed import PrintingWorkflow
from downtime.viewer import CurrentEncounter


class TransferScreen(PrintingWorkflow):
    kind = "encounter.transfer"
    fields = ("to_ward", "to_bed", "to_department", "transferred_at", "reason", "ordered_by", "from_ward",
              "from_bed", "admission", "hmis_ip_number")
    now_fields = ("transferred_at",)
    focus_field = "to_ward"
    doctor_fields = ("ordered_by",)
    bed_field = ("to_bed", "to_ward")

    def prefill(self) -> None:
        if self.patient is None:
            return
        now = self.session.current_admission(self.patient.patient.id)
        if now is None:
            self.warn(self.tr("Not admitted, as far as the snapshot and this PC know. Check the patient."))
            return
        self.fill_blank({"from_ward": now.ward, "from_bed": now.bed, **admission_refs(now)})


def admission_refs(now: CurrentEncounter) -> dict[str, str | None]:
    """The IP number field that fits: the downtime one for an admission on this PC, the HMIS one otherwise."""
    if now.kind == "downtime":
        return {"admission": now.ip_number}
    return {"hmis_ip_number": now.ip_number}
