"""The data that sheets (forms not made from one journal entry) print: what the viewer returns.

A ward census sheet lists a ward's in-patients (``viewer.WardCensus``); a
patient summary shows one patient's allergies, medications and results
(``viewer.PatientSummary``); a lab report one sample's results
(``lab_report.LabReport``). Their specs name the viewer's attributes, and this
registry is what the spec loader checks those names against, so a renamed
attribute fails when the spec is loaded, as a renamed kind field does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from downtime.lab_report import LabReport, ReportedResult, SampleDetails
from downtime.viewer import (
    Allergy,
    CensusEntry,
    CurrentEncounter,
    DowntimeRecord,
    LabResult,
    Medication,
    PatientDetails,
    PatientSummary,
    WardCensus,
)


@dataclass(frozen=True)
class DataSource:
    """One kind of sheet data: the object the renderer gets, its single items and its lists of rows."""

    name: str
    root: type
    items: dict[str, type]  # attribute of the root -> dataclass of that one item (may be None in the data)
    lists: dict[str, type]  # attribute of the root -> dataclass of each row

    def attributes(self, cls: type) -> frozenset[str]:
        """Field and property names of a viewer dataclass, the names a spec may print."""
        names = {f.name for f in dataclasses.fields(cls)}
        return frozenset(names | {n for n, v in vars(cls).items() if isinstance(v, property)})

    def item(self, data: Any, name: str) -> Any:
        return data if name == "" else getattr(data, name)

    def rows(self, data: Any, name: str) -> tuple[Any, ...]:
        return tuple(getattr(data, name))


SOURCES: dict[str, DataSource] = {
    "census": DataSource("census", WardCensus, items={"": WardCensus}, lists={"patients": CensusEntry}),
    "patient_summary": DataSource(
        "patient_summary", PatientSummary,
        items={"": PatientSummary, "patient": PatientDetails, "encounter": CurrentEncounter},
        lists={"allergies": Allergy, "medications": Medication, "results": LabResult, "downtime": DowntimeRecord},
    ),
    "lab_report": DataSource(
        "lab_report", LabReport, items={"": LabReport, "patient": PatientDetails, "sample": SampleDetails},
        lists={"results": ReportedResult},
    ),
}
