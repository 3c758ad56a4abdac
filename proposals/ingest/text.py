"""An article's text as logical blocks, with every character mapped back to its offset in the article.

Newspaper layouts damage the text: a sentence runs on after a blank line or a column break, a word
carries a space (``邢 灿``), a paragraph is printed several times, the end of a title turns up paragraphs
later (``…总经`` / ``理华豫民…``). The rules read a *clean view* of the text, where these are repaired,
but never change the article: each character of a block remembers its offset, so a span found in the
clean view maps back to one or more verbatim passages of the normalised article text.

Plain functions, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from proposals.normalise import normalise_article_text

__all__ = [
    "Block",
    "Passage",
    "Paragraph",
    "blocks_of",
    "normalise_article_text",
    "paragraphs_of",
    "passages_for",
]

# A paragraph that ends with one of these is complete; anything else runs on into the next one.
SENTENCE_END = "。！？!?；;：:”」』…）)"
_CJK = r"\u3400-\u9fff"
_INNER_SPACE = re.compile(rf"(?<=[{_CJK}“”‘’])[ \t\u3000\u00a0]+(?=[{_CJK}“”‘’])")
WordTest = Callable[[str], bool]
_SECTION = re.compile(r"^(?:【[^】]{1,12}】|#+\s.*|.{2,20}——)$")


@dataclass(frozen=True)
class Passage:
    """A verbatim run of the normalised article text: ``text == article[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    text: str

    @property
    def complete(self) -> bool:
        stripped = self.text.rstrip()
        return bool(stripped) and stripped[-1] in SENTENCE_END

    @property
    def is_heading(self) -> bool:
        """A section or title line: short, with no sentence punctuation inside."""
        text = self.text.strip()
        if _SECTION.match(text):
            return True
        if len(text) > 24 or re.search(r"[，,。！？；]", text[:-1]):
            return False
        return not self.complete or text[-1] in "：:"


@dataclass
class Block:
    """A logical paragraph: the clean text and, for each of its characters, the article offset."""

    text: str = ""
    offsets: list[int] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    heading: bool = False
    repeated: bool = False

    @property
    def start(self) -> int:
        return self.offsets[0] if self.offsets else 0

    def add(self, paragraph: Paragraph) -> None:
        raw = paragraph.text
        kept: list[int] = []
        # Spaces inside a CJK run are layout noise (``邢 灿``); other characters are kept.
        noise = {i for m in _INNER_SPACE.finditer(raw) for i in range(m.start(), m.end())}
        for i, char in enumerate(raw):
            if i in noise or (char.isspace() and (i == 0 or i == len(raw) - 1)):
                continue
            kept.append(i)
        self.text += "".join(raw[i] for i in kept)
        self.offsets.extend(paragraph.start + i for i in kept)
        self.paragraphs.append(paragraph)

    def passages(self, start: int, end: int, article: str) -> list[Passage]:
        """The verbatim passages of the article behind ``self.text[start:end]``."""
        return passages_for(self.offsets[start:end], article)


def passages_for(offsets: Iterable[int], article: str) -> list[Passage]:
    """Group article offsets into contiguous passages; a gap of spaces on the same line is bridged."""
    runs: list[list[int]] = []
    for offset in offsets:
        if runs:
            last = runs[-1][1]
            gap = article[last:offset]
            if offset == last or (offset > last and not gap.strip() and "\n" not in gap):
                runs[-1][1] = offset + 1
                continue
        runs.append([offset, offset + 1])
    return [Passage(article[a:b], a, b) for a, b in runs]


def paragraphs_of(text: str) -> list[Paragraph]:
    """The non-blank lines of the text with their offsets."""
    found: list[Paragraph] = []
    position = 0
    for line in text.split("\n"):
        if line.strip():
            found.append(Paragraph(position, position + len(line), line))
        position += len(line) + 1
    return found


def _crosses_word(left: str, right: str, is_word: WordTest) -> bool:
    """Whether a word of three characters or more spans the join of ``left`` and ``right`` (``总经`` + ``理``)."""
    for i in range(1, min(3, len(left)) + 1):
        for j in range(1, min(3, len(right)) + 1):
            if i + j >= 3 and is_word(left[-i:] + right[:j]):
                return True
    return False


def blocks_of(text: str, is_word: WordTest | None = None) -> list[Block]:
    """Logical blocks of a normalised article text.

    - consecutive paragraphs join when the first does not end a sentence and the next is not a heading
      (a sentence broken across blank lines or a column);
    - an unfinished paragraph followed by a heading looks ahead for an orphan continuation: a later
      paragraph whose join with it makes a word (``…总经`` + ``理华豫民…``), when ``is_word`` is given;
    - a paragraph printed again later is marked ``repeated`` (its first printing is the one quoted).
    """
    paragraphs = paragraphs_of(text)
    used: set[int] = set()
    blocks: list[Block] = []
    seen: set[str] = set()
    for index, paragraph in enumerate(paragraphs):
        if index in used:
            continue
        used.add(index)
        block = Block(heading=paragraph.is_heading)
        block.add(paragraph)
        current = index
        while not paragraphs[current].complete:
            if block.heading:
                # A short unfinished line may be a sentence's start rather than a title
                # (…为这一观点提供 / 了佐证…): only an orphan that cannot start a sentence continues it.
                follower = _orphan(paragraphs, current, used)
                if follower is not None:
                    block.heading = False
            else:
                follower = _continuation(paragraphs, current, used, is_word)
            if follower is None:
                break
            used.add(follower)
            block.add(paragraphs[follower])
            current = follower
        key = re.sub(r"\s", "", block.text)
        block.repeated = len(key) > 20 and key in seen
        seen.add(key)
        blocks.append(block)
    return blocks


# Characters a sentence does not begin with: a paragraph starting with one continues another.
ORPHAN_START = set("了之的地得着过而并及”’，、。；：）")
ORPHAN_REACH = 30  # paragraphs to look ahead for an orphan


def _is_orphan(paragraphs: list[Paragraph], index: int) -> bool:
    text = paragraphs[index].text.lstrip()
    previous = paragraphs[index - 1] if index else None
    return (
        bool(text)
        and text[0] in ORPHAN_START
        and (previous is None or previous.complete or previous.is_heading)
    )


def _orphan(paragraphs: list[Paragraph], current: int, used: set[int]) -> int | None:
    """The first unused orphan paragraph after ``current`` (within reach)."""
    for candidate in range(current + 1, min(len(paragraphs), current + 1 + ORPHAN_REACH)):
        if (
            candidate not in used
            and not paragraphs[candidate].is_heading
            and _is_orphan(paragraphs, candidate)
        ):
            return candidate
    return None


def _continuation(
    paragraphs: list[Paragraph], current: int, used: set[int], is_word: WordTest | None
) -> int | None:
    following = current + 1
    if following < len(paragraphs) and following not in used and not paragraphs[following].is_heading:
        return following
    if is_word is None:
        return None
    left = paragraphs[current].text.rstrip()
    if len(left) < 8:
        return None
    for candidate in range(current + 1, len(paragraphs)):
        if candidate in used or paragraphs[candidate].is_heading:
            continue
        previous = paragraphs[candidate - 1]
        right = paragraphs[candidate].text.lstrip()
        if not _crosses_word(left, right, is_word):
            continue
        # An orphan begins mid-sentence: the paragraph printed before it ended a sentence, is a heading,
        # or does not join it into a word the way this one does.
        if (
            previous.complete
            or previous.is_heading
            or not _crosses_word(previous.text.rstrip(), right, is_word)
        ):
            return candidate
    return _orphan(paragraphs, current, used)
