"""Reading an article file: the bytes must be plain text of a reasonable size.

- over 1 MB: refused (a 两会 report is 5–20 KB; a bigger file is a dump or the wrong file);
- UTF-8 (with or without a byte order mark), else GB18030 (which covers GBK and GB2312), else refused;
- empty, or only blank lines: refused;
- HTML: **refused**, not stripped. A saved web page carries menus, related links and footers full of
  names; stripping tags would keep them and the rules would read them as part of the report. Copy the
  article's text from the page instead.

Plain functions, no Django.
"""

from __future__ import annotations

import re
from pathlib import Path

from proposals.normalise import normalise_article_text

MAX_BYTES = 1_000_000
_HTML = re.compile(
    r"<!doctype\s+html|<html[\s>]|<body[\s>]|<(?:p|div|span|br|a|script|style|head)(?:\s[^>]*)?/?>", re.I
)


class ArticleInputError(ValueError):
    """The input cannot be ingested; the message says why and what to do."""


def decode_article(data: bytes, *, source: str = "输入") -> str:
    """The text of an article file's bytes, normalised; raises ArticleInputError with a clear message."""
    if len(data) > MAX_BYTES:
        raise ArticleInputError(
            f"{source}：文件有 {len(data):,} 字节，超过 1 MB 上限；一篇报道通常只有几十 KB，请检查是否选错了文件。"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any byte string; kept for clarity
        raise ArticleInputError(f"{source}：既不是 UTF-8 也不是 GB18030 编码的文本。")
    return check_article_text(text, source=source)


def check_article_text(text: str, *, source: str = "输入") -> str:
    """Normalise pasted or decoded text and refuse what is not a plain-text article."""
    text = normalise_article_text(text)
    if "\ufffd" in text or re.search(r"[\x00-\x08]", text):
        raise ArticleInputError(f"{source}：文本中有无法识别的字符（编码错误？），请另存为 UTF-8 后重试。")
    if not text.strip():
        raise ArticleInputError(f"{source}：文件是空的。")
    if _HTML.search(text):
        raise ArticleInputError(
            f"{source}：这是 HTML 网页，不是纯文本。导入只接受纯文本：请从网页复制报道正文，另存为 .txt 后重试。"
        )
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ArticleInputError(f"{source}：文本超过 1 MB 上限。")
    return text


def read_article_file(path: Path) -> str:
    """Read and check an article file without loading more than the size limit."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ArticleInputError(f"{path.name}：文件有 {size:,} 字节，超过 1 MB 上限；请检查是否选错了文件。")
    return decode_article(path.read_bytes(), source=path.name)


def title_from_text(text: str, fallback: str) -> str:
    """A draft title: the first line that looks like a headline, else the fallback (the file name)."""
    for line in text.split("\n"):
        line = line.strip().lstrip("#").strip()
        line = re.sub(r"^原标题[:：]", "", line)
        if 6 <= len(line) <= 60 and not re.search(r"[。！？]$", line):
            return line
    return fallback
