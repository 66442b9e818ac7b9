"""The Verhoeff check digit.

Chosen over Luhn because it catches every single-digit error *and* every swap
of two adjacent digits, the two mistakes people make copying numbers by hand.
Aadhaar uses the same scheme, so the same code validates both.
"""

from __future__ import annotations

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P1 = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)


def _powers(perm: tuple[int, ...], count: int) -> tuple[tuple[int, ...], ...]:
    """perm^0 .. perm^(count-1): Verhoeff's position permutations, built rather than typed to avoid typos."""
    rows = [tuple(range(10))]
    for _ in range(count - 1):
        rows.append(tuple(perm[x] for x in rows[-1]))
    return tuple(rows)


_P = _powers(_P1, 8)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def _checksum(digits: str, offset: int) -> int:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + offset) % 8][int(ch)]]
    return c


def verhoeff_digit(digits: str) -> str:
    """The check digit to append to ``digits``."""
    if not (digits.isascii() and digits.isdecimal()):  # "①".isdigit() is true, int() refuses it
        raise ValueError("Verhoeff works on digits only")
    return str(_INV[_checksum(digits, 1)])


def verhoeff_valid(digits_with_check: str) -> bool:
    return digits_with_check.isascii() and digits_with_check.isdecimal() and _checksum(digits_with_check, 0) == 0
