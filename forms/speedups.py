"""Make reportlab cheaper per document: the parts of every PDF that are the same from form to form.

Each PDF embeds a subset of each font it uses, compressed. A ward prints the
same forms over and over, so the same subsets are built and compressed again
and again: for a two-page admission form that was a fifth of its render time.
``install()`` memoises both, keyed by their exact input, so the output is byte
for byte what reportlab would have written.

reportlab's C accelerator (the ``rl_accel`` package, a dependency) formats the
numbers of every drawing operator; without it a form takes about twice as long.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import TTFontFace

# Font subsets and their ToUnicode maps are a few kB to a few hundred kB; page streams are unique
# and churn through, so the cache is kept small enough not to matter and big enough for 4 fonts.
_COMPRESSED_CACHE = 64
_SUBSET_CACHE = 256


@lru_cache(maxsize=_COMPRESSED_CACHE)
def _compress(data: bytes) -> bytes:
    return zlib.compress(data)


def _encode(text: str | bytes) -> bytes:
    return _compress(text.encode("utf8") if isinstance(text, str) else text)


def _memoised_subset(make_subset: Callable[[TTFontFace, Any], bytes]) -> Callable[[TTFontFace, Any], bytes]:
    @lru_cache(maxsize=_SUBSET_CACHE)
    def by_key(face: TTFontFace, subset: tuple[int, ...]) -> bytes:
        return make_subset(face, list(subset))

    def make(face: TTFontFace, subset: Any) -> bytes:
        return by_key(face, tuple(subset))

    return make


@cache
def install() -> None:
    """Patch once per process; safe to call from every render."""
    pdfdoc.PDFZCompress.encode = _encode  # type: ignore[method-assign]
    TTFontFace.makeSubset = _memoised_subset(TTFontFace.makeSubset)  # type: ignore[method-assign]
