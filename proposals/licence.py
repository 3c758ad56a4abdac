"""The data licence, stated once: the README, the API landing page, the API responses and each bulk file say it."""

from __future__ import annotations

NAME = "CC BY 4.0"
TITLE = "知识共享 署名 4.0 国际许可协议（Creative Commons Attribution 4.0 International）"
URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = "npp_db 代表委员建言数据库"
NOTE = (
    "数据（整理、摘要、主题、编号与结构）以 CC BY 4.0 发布：可自由复制、改编和商用，须注明出处"
    "（npp_db 代表委员建言数据库及记录网址）。引文是新闻报道的原文，版权归原媒体所有，按合理引用提供。"
)


def as_dict() -> dict[str, str]:
    return {"name": NAME, "url": URL, "attribution": ATTRIBUTION, "note": NOTE}


def link_header() -> str:
    """An HTTP ``Link`` header value naming the licence (RFC 8288 ``license`` relation)."""
    return f'<{URL}>; rel="license"'
