"""Child process for the crash test: appends entries and reports each one only after it is durable."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from downtime.session import login

PATIENT = {"name": "Crash Test Patient", "sex": "female", "age_years": 30, "phone": "9876543210"}

if __name__ == "__main__":
    session = login(Path(sys.argv[1]), os.environ["DOWNTIME_STAFF"], os.environ["DOWNTIME_PIN"])
    while True:
        entry = session.record("patient.register", PATIENT)
        # Written only after the commit returned: this line is the "acknowledged to the nurse" moment.
        sys.stdout.write(f"{entry.uuid} {entry.human_id}\n")
        sys.stdout.flush()
