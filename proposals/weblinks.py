"""The one rule for links to other sites that the database stores (an article's original web page).

Only absolute http:// and https:// URLs: ``javascript:``, ``data:``, ``vbscript:`` or a relative path would
run script or point into this site when a page links it. Every write path checks it: forms and
``full_clean`` (``Article.clean``), ``Article.save``, raw fixture loads (a ``pre_save`` receiver, which
``loaddata`` fires too) and ``build_fixture`` (``proposals.curation``). Templates link only what
``web_href`` passes, so a row written around all of them is still shown inert.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

SCHEMES = ("http", "https")
_validator = URLValidator(schemes=list(SCHEMES))
MESSAGE = "原文链接必须是以 http:// 或 https:// 开头的完整网址。"


def is_web_url(url: object) -> bool:
    if not isinstance(url, str) or not url or url != url.strip():
        return False
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        return False
    if urlsplit(url).scheme.lower() not in SCHEMES:
        return False
    try:
        _validator(url)
    except ValidationError:
        return False
    return True


def check_web_url(url: str) -> None:
    """Raise ValidationError (on the field ``url``) unless the URL is empty or a web URL."""
    if url and not is_web_url(url):
        raise ValidationError({"url": [MESSAGE]})
