"""English or Hindi, switched while the app runs.

Screen text goes through Qt's translations (``i18n/downtime_hi.ts``, compiled to ``.qm`` by
``i18n/update.py``); field labels come from the entry kinds' schemas instead, which carry both
languages. ``set_language`` installs the translator and then emits ``language_changed``, which
every open screen connects to its own ``set_language(lang)`` to redraw its words.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTranslator, Signal, SignalInstance

from downtime.errors import DowntimeError

LANGUAGES = ("en", "hi")
I18N_DIR = Path(__file__).parent / "i18n"


class _Translator(QTranslator):
    """Also looks in the empty context: lupdate files the modules' ``_tr(text)`` helpers there, since it
    cannot tell which context each helper passes to ``QCoreApplication.translate``."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        # None (a null QString) lets Qt fall back to the English source; "" would blank the text out.
        return (super().translate(context, source, disambiguation, n)
                or super().translate("", source, disambiguation, n) or None)


class _Language(QObject):
    changed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.lang = "en"
        self.translator: QTranslator | None = None


_state: _Language | None = None


def _language() -> _Language:
    global _state
    if _state is None:  # made on first use, after the QApplication, so it lives in the GUI thread
        _state = _Language()
    return _state


def current() -> str:
    return _language().lang


def language_changed() -> SignalInstance:
    """The signal screens connect to: it carries the new language code ("en" or "hi")."""
    return _language().changed


def qm_path(lang: str) -> Path:
    return I18N_DIR / f"downtime_{lang}.qm"


def set_language(app: QCoreApplication, lang: str) -> None:
    """Make ``lang`` the app's language: install its translations (none for English), then tell the screens."""
    if lang not in LANGUAGES:
        raise DowntimeError(f"unknown language {lang!r}; the app speaks {', '.join(LANGUAGES)}")
    state = _language()
    translator = None
    if lang != "en":
        translator = _Translator(app)
        if not translator.load(str(qm_path(lang))):
            raise DowntimeError(f"the {lang} translations ({qm_path(lang).name}) are missing; reinstall the app")
    if state.translator is not None:
        app.removeTranslator(state.translator)
    if translator is not None:
        app.installTranslator(translator)
    state.translator, state.lang = translator, lang
    state.changed.emit(lang)


def other(lang: str) -> str:
    """The language a toggle switches to."""
    return "en" if lang == "hi" else "hi"
