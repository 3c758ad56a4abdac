"""The one normal form of an article's text, applied on every write path (admin, fixtures, ingestion).

Quotes point into an article by character offsets, so the text must not change form between writes: a
browser submits a textarea with CRLF line endings, an editor may add a byte order mark, a copy from a PDF
brings Unicode line separators. The normal form:

- line endings are ``\\n`` (CRLF, CR, U+2028, U+2029, U+0085 become ``\\n``);
- Unicode NFC (composed characters; Chinese text is unchanged by it);
- no byte order mark (U+FEFF) and no control characters other than ``\\n`` and ``\\t``;
- nothing else: leading and trailing blank lines and spaces are kept (the newspaper layout is evidence,
  and stripping them would move every offset).

Plain functions, no Django: ingestion's text rules import it.
"""

from __future__ import annotations

import re
import unicodedata

_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029|\u0085")
_DROPPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")


def normalise_article_text(text: str) -> str:
    """The article text in its normal form (idempotent: normalising twice changes nothing more)."""
    text = _NEWLINES.sub("\n", text)
    text = _DROPPED.sub("", text)
    return unicodedata.normalize("NFC", text)


def normalise_passage(text: str) -> str:
    """A pasted passage in the same form as the article it is looked up in."""
    return normalise_article_text(text)
