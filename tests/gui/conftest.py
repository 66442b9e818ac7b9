"""Fixtures for the GUI tests: offscreen Qt, quick PINs, and a small downtime home.

Environment variables are set before PySide6 is imported, since Qt reads the
platform once, when the QApplication is created.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["DOWNTIME_KDF"] = "fast"  # Argon2id at full cost would make each login take a quarter second

import pytest
from PySide6.QtWidgets import QApplication

from downtime.gui.style import apply_look
from tests.gui.flow_helpers import pdf_only  # noqa: F401 - a fixture
from tests.gui.site_fixture import Site, make_site
from tests.gui.ward_fixtures import hmis_export, keys, open_window, ward_site  # noqa: F401 - fixtures


@pytest.fixture(autouse=True, scope="session")
def _look(qapp: QApplication) -> None:
    apply_look(qapp)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path / "home")
