"""Errors a user can act on.

Every exception that reaches the CLI or the GUI as a message derives from
``DowntimeError``; its text is one plain sentence that names the problem and,
where there is one, the fix. Anything else is a bug and is reported as such.
"""

from __future__ import annotations


class DowntimeError(Exception):
    """A problem the user can understand and act on."""


class NotFoundError(DowntimeError):
    """A record, entry, staff member or file the user named does not exist."""


class PermissionDeniedError(DowntimeError):
    """The logged-in staff member's role may not do this."""
