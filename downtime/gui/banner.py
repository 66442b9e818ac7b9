"""The permanent banner: where, who, which downtime, how fresh the snapshot is, how many IDs are left.

It answers the questions staff ask before trusting the screen: am I on the right
PC, as myself, in the current downtime, and is what I see from the HMIS recent?
The text helpers are plain functions of the core's ``Banner`` and a clock, so
they are tested without a window.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from downtime.gui.style import ALERT, NEUTRAL, WARN, set_tone
from downtime.session import Banner


def role_label(role: str) -> str:
    # Translated at each call, so switching language at runtime takes effect.
    labels = {
        "ward": QCoreApplication.translate("Banner", "ward"),
        "doctor": QCoreApplication.translate("Banner", "doctor"),
        "lab": QCoreApplication.translate("Banner", "lab"),
        "records": QCoreApplication.translate("Banner", "records"),
        "admin": QCoreApplication.translate("Banner", "admin"),
    }
    return labels.get(role, role)


def parse_local(text: str | None) -> dt.datetime | None:
    """A naive local datetime from the core's ISO text (naive or with an offset); None if unreadable."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value


def format_duration(delta: dt.timedelta) -> str:
    """Coarse on purpose: '2 d 4 h' is what a clerk reads at a glance; seconds are noise."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return QCoreApplication.translate("Banner", "under a minute")
    if minutes < 60:
        return QCoreApplication.translate("Banner", "{m} min").format(m=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return QCoreApplication.translate("Banner", "{h} h {m} min").format(h=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return QCoreApplication.translate("Banner", "{d} d {h} h").format(d=days, h=hours)


def event_text(banner: Banner, now: dt.datetime) -> tuple[str, str]:
    """The downtime line and its tone."""
    if not banner.event_reason:
        return QCoreApplication.translate("Banner", "No downtime declared"), NEUTRAL
    started = parse_local(banner.event_started_at)
    if started is None or started > now:  # a start typed in the future: show it, do not invent an age
        text = QCoreApplication.translate("Banner", "Downtime: {reason} — started {at}")
        return text.format(reason=banner.event_reason, at=banner.event_started_at or "?"), ALERT
    text = QCoreApplication.translate("Banner", "Downtime: {reason} — started {ago} ago")
    return text.format(reason=banner.event_reason, ago=format_duration(now - started)), ALERT


def snapshot_text(as_of: str | None, warn_hours: float, now: dt.datetime) -> tuple[str, str]:
    """The snapshot age and its tone: amber once it is older than the site's ``snapshot_warn_hours``."""
    if as_of is None:
        return QCoreApplication.translate("Banner", "no snapshot"), WARN
    taken = parse_local(as_of)
    if taken is None:
        return QCoreApplication.translate("Banner", "snapshot of {as_of}").format(as_of=as_of), WARN
    age = max(now - taken, dt.timedelta(0))
    tone = WARN if age > dt.timedelta(hours=warn_hours) else NEUTRAL
    return QCoreApplication.translate("Banner", "snapshot {age} old").format(age=format_duration(age)), tone


def ids_text(ids_left: int | None, ids_warning: str | None) -> tuple[str, str]:
    if ids_left is None:
        return QCoreApplication.translate("Banner", "no ID block"), WARN
    text = QCoreApplication.translate("Banner", "IDs left: {n:,}").format(n=ids_left)
    return text, WARN if ids_warning else NEUTRAL


class BannerWidget(QFrame):
    """Two rows: site/device and who is logged in; then the downtime, snapshot and ID chips."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.site_label = QLabel()
        self.site_label.setObjectName("siteName")
        self.device_label = QLabel()
        self.staff_label = QLabel()
        self.logout_button = QPushButton(self.tr("Log out (Ctrl+L)"))
        # Never focused, so an Enter or Space meant for the work area cannot log the user out.
        self.logout_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.event_label = QLabel()
        self.snapshot_label = QLabel()
        self.ids_label = QLabel()
        # The core's own sentence about the ID block, because an amber number alone does not say what to do.
        self.ids_warning_label = QLabel()
        self.ids_warning_label.setWordWrap(True)
        set_tone(self.ids_warning_label, WARN)
        self.ids_warning_label.hide()
        # The core's sentence about a PC clock that was set back (clock_check.py), with what to do.
        self.clock_warning_label = QLabel()
        self.clock_warning_label.setWordWrap(True)
        set_tone(self.clock_warning_label, WARN)
        self.clock_warning_label.hide()

        top = QHBoxLayout()
        top.addWidget(self.site_label)
        top.addWidget(self.device_label)
        top.addStretch(1)
        top.addWidget(self.staff_label)
        top.addSpacing(12)
        top.addWidget(self.logout_button)
        chips = QHBoxLayout()
        chips.addWidget(self.event_label)
        chips.addWidget(self.snapshot_label)
        chips.addWidget(self.ids_label)
        chips.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.addLayout(top)
        layout.addLayout(chips)
        layout.addWidget(self.ids_warning_label)
        layout.addWidget(self.clock_warning_label)

    def show_banner(self, banner: Banner, *, snapshot_warn_hours: float, now: dt.datetime | None = None) -> None:
        now = now or dt.datetime.now()
        self.site_label.setText(banner.site)
        self.device_label.setText(self.tr("· device {device}").format(device=banner.device))
        self.staff_label.setText(self.tr("Logged in: {name} ({role})").format(
            name=banner.staff, role=role_label(banner.role)))
        for label, (text, tone) in (
            (self.event_label, event_text(banner, now)),
            (self.snapshot_label, snapshot_text(banner.snapshot_as_of, snapshot_warn_hours, now)),
            (self.ids_label, ids_text(banner.ids_left, banner.ids_warning)),
        ):
            label.setText(text)
            set_tone(label, tone)
        self.ids_warning_label.setText(banner.ids_warning or "")
        self.ids_warning_label.setVisible(bool(banner.ids_warning))
        self.clock_warning_label.setText(banner.clock_warning or "")
        self.clock_warning_label.setVisible(bool(banner.clock_warning))
