"""The one strict parser of every number a URL carries (page, page_size, ids, years …).

Only ASCII digits, bounded in length and value: ``"²".isdigit()`` and ``"٣".isdigit()`` are True and
``int("٣")`` is 3, so neither ``str.isdigit`` nor ``int`` alone says whether a parameter is a number. A
value that is not a number is ``None``: the caller answers with a notice (site) or a 400 (API), never a 500.
"""

from __future__ import annotations

import re

from django import forms

MAX_DIGITS = 18  # below 2**63: SQLite cannot bind 10**20 and PostgreSQL rejects it
_DIGITS = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)


def parse_int(raw: object, *, minimum: int = 0, maximum: int = 10**MAX_DIGITS - 1) -> int | None:
    """``raw`` as an int if it is ASCII digits (surrounding spaces allowed) within [minimum, maximum]."""
    if not isinstance(raw, str):
        return None
    text = raw.strip(" \t")
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def is_record_id(text: object) -> bool:
    """A record id as a URL carries it: ASCII digits only, small enough for a 64-bit column."""
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None


class StrictIntegerField(forms.IntegerField):
    """forms.IntegerField that refuses Unicode digits ("٣", "²"), signs, decimals and exponents."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_int(str(value))
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number
