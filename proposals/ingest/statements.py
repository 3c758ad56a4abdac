"""What a delegate proposed or said: the blocks where they 建议/提案/呼吁/提出/认为/表示…, and the blocks
that continue them. Plain functions, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from proposals.ingest.lexicon import SPEECH_VERBS, pos_tokenizer
from proposals.ingest.text import Block

_VERBS = "|".join(SPEECH_VERBS)
_CONTINUES = re.compile(
    r"^(?:[一二三四五六七八九十]是|第[一二三四五六七八九十]|其次|同时|此外|另外|再次|最后|为此|具体|他|她|其|“)"
)
_PRONOUN_VERB = re.compile(r"^[^。！？]{0,10}?(?:他|她)")
MAX_CONTINUATION = 6


@dataclass
class Statement:
    """A delegate's statement: block spans (block index, start, end) in reading order, and its kind."""

    name: str
    kind: str
    spans: list[tuple[int, int, int]] = field(default_factory=list)
    title: str = ""


def kind_of(text: str) -> str:
    if "提案" in text:
        return "proposal"
    if re.search(r"建议|呼吁", text):
        return "suggestion"
    if "发言" in text:
        return "speech"
    return "view"


def _speaks(text: str, name: str) -> bool:
    """Whether the block has ``name`` followed (closely) by a speech verb, or 在…看来."""
    if re.match(rf"{re.escape(name)}(?:代表|委员)?[：:]", text) and len(text) > 20:
        return True  # an interview's answer (卓映川：…), not a short heading (徐冠巨代表：)
    for match in re.finditer(re.escape(name), text):
        after = text[match.end() : match.end() + 40]
        after = re.split(r"[。！？；]", after)[0]
        if re.search(_VERBS, after[:24]):
            return True
        if text[match.start() - 1 : match.start()] == "在" and "看来" in after[:6]:
            return True
        # 严某关注数据安全。她认为…: the name, then a pronoun that speaks, in the same paragraph.
        if re.search(rf"[他她](?:还|也|则)?(?:{_VERBS}|告诉)", text[match.end() : match.end() + 80]):
            return True
    return False


def find_statements(
    blocks: list[Block],
    names: Iterable[str],
    others: Iterable[str] = (),
    titles: Mapping[int, str] | None = None,
) -> list[Statement]:
    """Statements per delegate: a block where the delegate speaks, then its continuation blocks.

    A block that names two delegates speaking is split at the sentence where the second one begins.
    One statement per delegate and kind family (提案 apart from the rest) per article.
    """
    names = sorted(set(names), key=len, reverse=True)
    other_people = set(others) - set(names)
    by_key: dict[tuple[str, bool], Statement] = {}
    owner_of_block: dict[int, str] = {}
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.heading or block.repeated:
            index += 1
            continue
        speakers = [n for n in names if n in block.text and _speaks(block.text, n)]
        if not speakers:
            index += 1
            continue
        for name, start, end in _split_by_speaker(block.text, speakers):
            piece = block.text[start:end]
            family = "提案" in piece
            statement = by_key.setdefault((name, family), Statement(name=name, kind=kind_of(piece)))
            if statement.kind == "view" and kind_of(piece) != "view":
                statement.kind = kind_of(piece)
            statement.spans.append((index, start, end))
            owner_of_block[index] = name
            if titles and not statement.title:
                statement.title = titles.get(index, "")
        last_name = owner_of_block[index]
        following = index + 1
        added = 0
        while following < len(blocks) and added < MAX_CONTINUATION:
            nxt = blocks[following]
            if nxt.heading:
                break
            if nxt.repeated:
                following += 1
                continue
            mentioned = [n for n in names if n in nxt.text] + [p for p in other_people if p in nxt.text]
            if mentioned and mentioned != [last_name]:
                break
            if mentioned == [last_name] and _speaks(nxt.text, last_name):
                break  # the outer loop takes it as a statement of its own
            previous_end = blocks[following - 1].text.rstrip()[-1:]
            if not (_CONTINUES.match(nxt.text) or _PRONOUN_VERB.match(nxt.text) or previous_end in "：:"):
                break
            family = "提案" in blocks[index].text
            by_key[(last_name, family)].spans.append((following, 0, len(nxt.text)))
            owner_of_block[following] = last_name
            following += 1
            added += 1
        index = following
    return list(by_key.values())


def _split_by_speaker(text: str, speakers: list[str]) -> list[tuple[str, int, int]]:
    """(speaker, start, end) pieces of a block, one per speaker, split at sentence boundaries."""
    if len(speakers) == 1:
        return [(speakers[0], 0, len(text))]
    firsts = sorted((text.index(n), n) for n in speakers)
    pieces: list[tuple[str, int, int]] = []
    for i, (position, name) in enumerate(firsts):
        start = 0 if i == 0 else _sentence_start(text, position)
        end = len(text) if i == len(firsts) - 1 else _sentence_start(text, firsts[i + 1][0])
        if end > start:
            pieces.append((name, start, end))
    return pieces


def _sentence_start(text: str, position: int) -> int:
    cut = max(text.rfind(c, 0, position) for c in "。！？；")
    return cut + 1 if cut >= 0 else 0


def suggest_themes(text: str, themes: Mapping[str, Iterable[str]], limit: int = 3) -> list[str]:
    """Theme slugs whose keywords the text uses most (jieba words, and multi-word keywords as substrings)."""
    words = [pair.word for pair in pos_tokenizer().cut(text)]
    scores: dict[str, float] = {}
    for slug, keywords in themes.items():
        score = 0.0
        for keyword in keywords:
            hits = words.count(keyword) or text.count(keyword)
            score += hits * (1 + len(keyword) / 4)
        if score:
            scores[slug] = score
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    return [slug for slug, score in ranked[:limit] if score >= 1.5]


def summary_of(text: str, limit: int = 120) -> str:
    """The first sentence of the statement that carries a speech verb, trimmed to ``limit`` characters."""
    match = re.search(r"(?:建议|呼吁|提出|认为|表示)[^。！？]*[。！？]?", text)
    chosen = text[: match.end()].strip() if match else text.strip()
    return chosen if len(chosen) <= limit else chosen[: limit - 1] + "…"


def title_of(text: str, limit: int = 40) -> str:
    """A draft title: what follows 建议/呼吁/提出 up to the first pause, else the first clause."""
    match = re.search(r"(?:建议|呼吁|提出|认为|表示)[，,：:]?(?:要|应|应当)?([^，,。；：:“”]{4,40})", text)
    if match:
        return match.group(1)[:limit]
    first = re.split(r"[，,。；：:]", text.strip("“”"))[0]
    return first[:limit]
