"""A white card centred on the window: the layout the login and lock screens share."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QVBoxLayout, QWidget

CARD_WIDTH = 520


def centred_card(outer: QWidget) -> QVBoxLayout:
    """Put a fixed-width card in the middle of ``outer``; return the card's layout to fill."""
    card = QFrame(outer)
    card.setObjectName("card")
    card.setFixedWidth(CARD_WIDTH)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(32, 28, 32, 28)
    inner.setSpacing(14)
    grid = QGridLayout(outer)
    grid.addWidget(card, 1, 1)
    # Stretchable empty rows and columns around the card keep it centred at any window size.
    grid.setRowStretch(0, 1)
    grid.setRowStretch(2, 1)
    grid.setColumnStretch(0, 1)
    grid.setColumnStretch(2, 1)
    return inner
