"""Who an article names: delegates (with body, region, role, sector and positions) and the people skipped.

The rules read the clean text of each block (``proposals.ingest.text``) and report spans in it; the
extractor maps spans back to article offsets. Plain functions, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from proposals.ingest.lexicon import (
    MUNICIPALITIES,
    NOT_NAME_END,
    NOT_NAMES,
    ORG_SUFFIXES,
    PROVINCES,
    ROLE_WORDS,
    SKIP_ROLES,
    SPEECH_VERBS,
    SURNAMES,
    TITLES,
    pos_tokenizer,
    word_frequency,
)
from proposals.ingest.text import Block

_HAN = r"\u3400-\u9fff"
COMMON_WORD = 50  # jieba dictionary frequency above which a two-character string is a real word
_TITLE_RE = "|".join(map(re.escape, TITLES))
_VERBS = "|".join(SPEECH_VERBS)
# What may follow a name when an article introduces someone.
_AFTER_NAME = (
    rf"(?:{_VERBS}|在|率队|代表[^团大]|的发言|此次|等|说|：|:|，|,|还|也|所在|履职|接受|调研|看来|$)"
)
# Where a name may begin in an introduction: after a title, a role word (…长, …师, …员, …手, …人, 专家,
# 副主委) or the body phrase itself.
_LEFT_OF_NAME = "|".join(
    map(
        re.escape,
        sorted(
            {*TITLES, *ROLE_WORDS, "人大代表", "政协委员", "政协常委", "代表", "主席"}, key=len, reverse=True
        ),
    )
)
_BOUNDARY = r"(?:^|(?<=[。！？；，,、：:”“\s（(■]))"
_BODY_RANK = r"(?:政协|人大)(?:常委会)?(?:副主席|主席|常委|委员|代表)"
_NATIONAL = re.compile(r"全国人大代表|全国政协委员|全国政协常委")


@dataclass
class Membership:
    body: str
    region: str = ""
    role: str = "member"
    sector: str = ""
    evidence: tuple[int, int] = (0, 0)  # span in the block's clean text


@dataclass
class Mention:
    """One introduction of a person in a block: the name's span and what the sentence says about them."""

    name: str
    block: int
    start: int
    end: int
    intro_start: int
    memberships: list[Membership] = field(default_factory=list)
    positions: list[tuple[str, str]] = field(default_factory=list)
    address: str = ""  # 代表 / 委员 when written as <name>代表


@dataclass(frozen=True)
class Section:
    """What a section heading says: 湖北省政协—— (a local CPPCC), 【湖北】 (a province)."""

    body: str = ""
    region: str = ""


def looks_like_name(name: str) -> bool:
    """A surname first, no particle last, no institution word inside."""
    if not 2 <= len(name) <= 4 or not (name[0] in SURNAMES or name[:2] in SURNAMES):
        return False
    return name[-1] not in NOT_NAME_END and not any(word in name for word in NOT_NAMES)


def _name_candidates(text: str, end_of_left: int) -> Iterable[tuple[int, int]]:
    """Name spans starting at ``end_of_left``: three characters, then two (surname-checked), when a
    speech verb or a pause follows; else three characters unless the third begins a word (严霁主持)."""
    for length in (3, 2, 4):
        start, stop = end_of_left, end_of_left + length
        name = text[start:stop]
        if len(name) != length or not re.fullmatch(rf"[{_HAN}]+", name):
            continue
        if length == 4 and name[:2] not in SURNAMES:
            continue
        if not looks_like_name(name):
            continue
        if re.match(_AFTER_NAME, text[stop:]):
            yield start, stop
    start = end_of_left
    surname = 2 if text[start : start + 2] in SURNAMES else 1
    # A common word starting at the third character ends a two-character name (严霁主持, 易澜今年…).
    given = 1 if word_frequency(text[start + surname + 1 : start + surname + 3]) >= COMMON_WORD else 2
    if not re.match(rf"[{_HAN}]", text[start + surname + 1 : start + surname + 2]):
        given = 1
    stop = start + surname + given
    name = text[start:stop]
    around = text[start : stop + 2]
    if (
        re.fullmatch(rf"[{_HAN}]+", name)
        and looks_like_name(name)
        and not any(w in around for w in NOT_NAMES)
    ):
        yield start, stop


def _place_before(text: str, index: int, home: str = "") -> tuple[str, str]:
    """The level and place written before 政协/人大 at ``index``: ('national'|'province'|…, region name).

    ``home`` is the article's province: a bare 市政协 of a 直辖市's article (天津, 重庆…) is provincial.
    """
    left = text[max(0, index - 14) : index]
    left = re.split(r"[、，,。；：:“”\s]", left)[-1]
    if left.endswith("全国"):
        return "national", ""
    province = ""
    for short, full in sorted(PROVINCES.items(), key=lambda kv: -len(kv[0])):
        if short in left:
            province = full
            left = left[left.index(short) + len(short) :]
            left = left.removeprefix("省").removeprefix("市")
            break
    match = re.search(rf"([{_HAN}]{{1,5}}?)(市|区|县)$", left)
    if match and re.search("[的之和与及界别]", match.group(1)):
        left, match = match.group(2), None
    if match and match.group(1) not in ("省", "市"):
        local = match.group(1) + match.group(2)
        level = {"市": "city", "区": "district", "县": "district"}[match.group(2)]
        return level, f"{province}{local}" if province else local
    if left.endswith("省"):
        return "province", province or (home if home not in MUNICIPALITIES else "")
    if left.endswith("市"):
        if not province and home in MUNICIPALITIES:
            return "province", home
        return ("province" if province in MUNICIPALITIES else "city"), province
    if left.endswith(("区", "县")):
        return "district", province
    if province:
        return "province", province
    return "", ""


_LEVEL_BODY = {
    ("cppcc", "national"): "cppcc",
    ("cppcc", "province"): "provincial-cppcc",
    ("cppcc", "city"): "municipal-cppcc",
    ("cppcc", "district"): "district-cppcc",
    ("congress", "national"): "npc",
    ("congress", "province"): "provincial-congress",
    ("congress", "city"): "municipal-congress",
    ("congress", "district"): "district-congress",
}


def section_of(heading: str) -> Section | None:
    """A section heading's context, or None when the heading says nothing about bodies or places."""
    text = re.sub(r"\s", "", heading).strip("#【】—- ")
    match = re.search(r"(政协|人大)$", text)
    if match:
        level, region = _place_before(text + "委员", len(text) - 2)
        kind = "cppcc" if match.group(1) == "政协" else "congress"
        body = _LEVEL_BODY.get((kind, level or "province"), "")
        return Section(body=body, region=region)
    match = re.fullmatch(rf"([{_HAN}]{{2,4}})(?:代表团)?", text)
    if match and match.group(1) in PROVINCES:
        return Section(region=PROVINCES[match.group(1)])
    return None


_PROVINCE_NAMES = "|".join(sorted(PROVINCES, key=len, reverse=True))
_PLACE = rf"(?:全国|(?:{_PROVINCE_NAMES})?[省市区县]?)"
_PLACE_PREFIX = re.compile(
    rf"(?:全国|(?:(?:{_PROVINCE_NAMES})(?:省|市|自治区)?)?(?:[{_HAN}]{{1,4}}?(?:市|区|县))?(?:省|市|区|县)?)$"
)


def _prefix_length(left: str) -> int:
    """How many characters before 政协/人大 name its place (全国, 湖北省, 武汉市, 上海市松江区, 省)."""
    match = _PLACE_PREFIX.search(left)
    return len(match.group(0)) if match else 0


def _body_phrases(text: str, start: int, stop: int, home: str = "") -> list[Membership]:
    """Every body phrase in ``text[start:stop]`` (the sentence before a name)."""
    found: list[Membership] = []
    for match in re.finditer(_BODY_RANK, text[start:stop]):
        index = start + match.start()
        kind = "cppcc" if text[index : index + 2] == "政协" else "congress"
        level, region = _place_before(text, index, home)
        rank = match.group(0)[2:]
        role = {"主席": "chair", "副主席": "vice_chair"}.get(rank.removeprefix("常委会"), "member")
        found.append(
            Membership(
                body=_LEVEL_BODY.get((kind, level), ""),
                region=region,
                role=role,
                evidence=(index - _prefix_length(text[max(0, index - 14) : index]), start + match.end()),
            )
        )
    return found


def _organisation_end(segment: str) -> int:
    """Where the organisation's name ends: the first suffix (公司, 集团, 局…), extended over adjacent ones."""
    best = -1
    for suffix in ORG_SUFFIXES:
        at = segment.find(suffix)
        while at >= 0 and suffix == "学院" and segment[at - 1 : at] == "科":
            at = segment.find(suffix, at + 1)
        if at >= 0 and (best < 0 or at + len(suffix) < best or (at + len(suffix) == best)):
            best = at + len(suffix)
    if best < 0:
        return -1
    extended = True
    while extended:
        extended = False
        for suffix in sorted(ORG_SUFFIXES, key=len, reverse=True):
            if segment.startswith(suffix, best):
                best += len(suffix)
                extended = True
                break
    return best


def positions_of(descriptor: str) -> list[tuple[str, str]]:
    """(organisation, title) pairs of a descriptor such as 华工科技董事长 or 党委书记、董事长."""
    positions: list[tuple[str, str]] = []
    for segment in re.split(r"[、，,]", descriptor):
        segment = segment.strip()
        if not segment or re.search(_BODY_RANK + "|代表$|委员$", segment):
            continue
        if re.fullmatch(rf"(?:{_TITLE_RE}|兼|和)+", segment):
            if positions:
                org, title = positions[-1]
                positions[-1] = (org, f"{title}、{segment}" if title else segment)
            continue
        cut = _organisation_end(segment)
        title_match = re.search(rf"(?:{_TITLE_RE})(?:兼(?:{_TITLE_RE}))*$", segment)
        if title_match and 0 < title_match.start() < cut:
            cut = title_match.start()
        if cut <= 0 or cut == len(segment):
            title_match = re.search(rf"(?:{_TITLE_RE})(?:兼(?:{_TITLE_RE}))*$", segment)
            cut = title_match.start() if title_match else len(segment)
        org, title = segment[:cut], segment[cut:]
        if org:
            positions.append((org, title))
    return positions


@dataclass(frozen=True)
class ArticleContext:
    """What the whole article says: its province, and the body a bare <name>委员 / <name>代表 belongs to."""

    home: str = ""
    member_body: str = ""  # for <name>委员
    deputy_body: str = ""  # for <name>代表
    region: str = ""


def article_context(blocks: list[Block]) -> ArticleContext:
    """The most named province, and the most common explicit CPPCC and congress bodies of the article."""
    counts: dict[str, int] = {}
    for block in blocks:
        for short, full in PROVINCES.items():
            if short != full and short in block.text:
                counts[full] = counts.get(full, 0) + block.text.count(short)
    ranked = sorted(counts, key=lambda k: -counts[k])
    home = ranked[0] if ranked else ""
    # A 直辖市 is the article's home only when named often and far more than any other province (a 嘉兴
    # report may mention 上海 once).
    runner_up = counts[ranked[1]] if len(ranked) > 1 else 0
    if home in MUNICIPALITIES and (counts[home] < 3 or counts[home] < 3 * runner_up):
        home = ""
    bodies: dict[str, int] = {}
    regions: dict[str, str] = {}
    for block in blocks:
        for membership in _body_phrases(block.text, 0, len(block.text), home):
            if membership.body:
                bodies[membership.body] = bodies.get(membership.body, 0) + 1
                regions.setdefault(membership.body, membership.region)
    cppcc = [b for b in bodies if b.endswith("cppcc")]
    congress = [b for b in bodies if not b.endswith("cppcc")]
    member = max(cppcc, key=lambda b: (bodies[b], b == "cppcc")) if cppcc else ""
    deputy = max(congress, key=lambda b: (bodies[b], b == "npc")) if congress else ""
    return ArticleContext(home=home, member_body=member, deputy_body=deputy, region=regions.get(member, ""))


def find_mentions(blocks: list[Block], known: Iterable[str] = ()) -> list[Mention]:
    """Introductions of delegates, block by block, with section context applied."""
    mentions: list[Mention] = []
    section = Section()
    context = article_context(blocks)
    group_sector, group_from = "", 0
    for index, block in enumerate(blocks):
        text = block.text
        if block.heading:
            found = section_of(text)
            if found is not None:
                section, group_sector = found, ""
        if block.repeated:
            continue
        if _group_sector(text):
            group_sector, group_from = _group_sector(text), index
        elif index - group_from > GROUP_REACH:
            group_sector = ""
        for mention in _mentions_in(text, index, section, context):
            sector = _own_sector(text, mention.intro_start, mention.end) or group_sector
            for membership in mention.memberships:
                if membership.body.endswith("cppcc") and membership.role == "member" and sector:
                    membership.sector = sector
            mentions.append(mention)
    return mentions


GROUP_REACH = 4  # a sector group named in a paragraph covers the members in the next few paragraphs
_PARTY_SECTORS = (
    "民革",
    "民盟",
    "民建",
    "民进",
    "农工党",
    "致公党",
    "九三学社",
    "台盟",
    "中共",
    "无党派人士",
)
_SECTOR = rf"([{_HAN}]{{2,5}}?)界(?:别)?"


_KNOWN_SECTORS: tuple[str, ...] = (
    "经济",
    "科技",
    "教育",
    "文艺",
    "农业",
    "体育",
    "医药卫生",
    "社会科学",
    "新闻出版",
    "工商联",
    "科协",
)
_KNOWN_SECTORS += (
    "妇联",
    "共青团",
    "总工会",
    "青联",
    "台联",
    "侨联",
    "少数民族",
    "宗教",
    "环境资源",
    "社会福利",
)


def _sector_name(word: str) -> str:
    """界别 as the records write them: 经济界, 科技界; party sectors without 界 (民盟)."""
    for known in sorted((*_PARTY_SECTORS, *_KNOWN_SECTORS), key=len, reverse=True):
        if word.endswith(known):
            return known if known in _PARTY_SECTORS else f"{known}界"
    return f"{word[-2:]}界"


def _own_sector(text: str, start: int, end: int) -> str:
    """A sector the sentence gives the person: 来自科技界别, 作为民盟界别的委员, 区政协经济界别的委员."""
    sentence_start = max(text.rfind(c, 0, start) for c in "。！？；") + 1
    sentence_end = min([i for i in (text.find(c, end) for c in "。！？；") if i >= 0] or [len(text)])
    sentence = text[sentence_start:sentence_end]
    match = re.search(rf"(?:来自|作为|是)(?:[{_HAN}]{{0,4}}政协)?{_SECTOR}(?:的)?", sentence)
    if match is None:
        match = re.search(rf"(?<![参加])政协{_SECTOR}的?委员", sentence)
    return _sector_name(match.group(1)) if match else ""


def _group_sector(text: str) -> str:
    """A sector group the paragraph is about: 经济界别第二十七组, 经济界别政协委员围绕…, 科技界的委员也….

    A sector a sentence gives one person (是区政协经济界别的委员) is not a group's.
    """
    group = rf"(?<![参加与、]){_SECTOR}(?:第[一二三四五六七八九十]+组|小组讨论|政协委员|委员们)"
    leading = rf"(?:^|(?<=[。！？；“]))(?!作为|来自|是){_SECTOR}的委员"
    match = re.search(group, text) or re.search(leading, text)
    return _sector_name(match.group(1)) if match else ""


def _mentions_in(text: str, index: int, section: Section, context: ArticleContext) -> list[Mention]:
    found: list[Mention] = []
    taken: set[int] = set()
    # 1. <body phrase>[、，]<descriptor><title><name> and <body phrase><name>.
    for match in re.finditer(_LEFT_OF_NAME, text):
        for start, stop in _name_candidates(text, match.end()):
            if start in taken:
                continue
            sentence_start = max(text.rfind(c, 0, start) for c in "。！？；“”") + 1
            memberships = _body_phrases(text, sentence_start, start, context.home)
            if not memberships:
                continue
            last = memberships[-1]
            descriptor = text[last.evidence[1] : start].lstrip("、，, ")
            if len(descriptor) > 60:
                continue
            mention = Mention(
                name=text[start:stop],
                block=index,
                start=start,
                end=stop,
                intro_start=memberships[0].evidence[0],
                memberships=[_with_section(m, section) for m in memberships],
                positions=positions_of(descriptor),
            )
            for m in mention.memberships:
                m.evidence = (m.evidence[0], stop)
            found.append(mention)
            taken.add(start)
            break
    # 2. <name>代表 / <name>委员 (a heading, or 华鹏委员建议), and <name>等<place>全国政协委员.
    for match in re.finditer(
        rf"{_BOUNDARY}([{_HAN}]{{2,4}}?)(代表|委员)(?=[：:，,]|{_VERBS}|所在|说|是|$)", text
    ):
        name = match.group(1)
        if match.start(1) in taken or not looks_like_name(name):
            continue
        if match.group(2) == "委员":
            body = section.body if section.body.endswith("cppcc") else context.member_body
        else:
            body = (
                section.body if section.body and not section.body.endswith("cppcc") else context.deputy_body
            )
        region = section.region or (context.region if body == context.member_body else "")
        membership = Membership(
            body=body, region="" if body in ("cppcc",) else region, evidence=(match.start(1), match.end(2))
        )
        found.append(
            Mention(
                name=name,
                block=index,
                start=match.start(1),
                end=match.end(1),
                intro_start=match.start(1),
                memberships=[membership] if body else [],
                address=match.group(2),
            )
        )
        taken.add(match.start(1))
    for match in re.finditer(rf"{_BOUNDARY}([{_HAN}]{{2,3}}?)作为({_PLACE}{_BODY_RANK})", text):
        name = match.group(1)
        if match.start(1) in taken or not looks_like_name(name):
            continue
        memberships = _body_phrases(text, match.start(2), match.end(2), context.home)
        found.append(
            Mention(
                name=name,
                block=index,
                start=match.start(1),
                end=match.end(1),
                intro_start=match.start(1),
                memberships=[_with_section(m, section) for m in memberships],
            )
        )
        taken.add(match.start(1))
    for match in re.finditer(
        rf"{_BOUNDARY}([{_HAN}]{{2,3}}?)等[{_HAN}]{{0,6}}?(全国政协委员|全国人大代表)", text
    ):
        name = match.group(1)
        if match.start(1) in taken or not looks_like_name(name):
            continue
        body = "cppcc" if match.group(2) == "全国政协委员" else "npc"
        found.append(
            Mention(
                name=name,
                block=index,
                start=match.start(1),
                end=match.end(1),
                intro_start=match.start(1),
                memberships=[Membership(body=body, evidence=(match.start(1), match.end(2)))],
            )
        )
    return found


def _with_section(membership: Membership, section: Section) -> Membership:
    if not membership.body and section.body:
        membership.body = section.body
    if not membership.region and membership.body not in ("cppcc",):
        membership.region = section.region
    if membership.body == "cppcc":
        membership.region = ""
    return membership


def name_spans(text: str, names: Iterable[str]) -> list[tuple[int, int, str]]:
    """Every occurrence of the given names in ``text`` (longest name first at a position)."""
    spans: list[tuple[int, int, str]] = []
    ordered = sorted(set(names), key=len, reverse=True)
    if not ordered:
        return spans
    for match in re.finditer("|".join(map(re.escape, ordered)), text):
        spans.append((match.start(), match.end(), match.group(0)))
    return spans


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str
    block: int
    start: int
    end: int


_BYLINE = re.compile(r"(本报记者|记者|摄影|通讯员|编辑|策划|执行策划|统筹|采写|海报制作|责任编辑)[:：]?\s*")


def find_skipped(blocks: list[Block], delegates: Iterable[str], known: tuple[str, ...] = ()) -> list[Skipped]:
    """Named people who are not delegates, with the role that says why (reporters, experts, officials…)."""
    delegate_names = set(delegates)
    skipped: dict[str, Skipped] = {}
    for index, block in enumerate(blocks):
        for paragraph in block.paragraphs:
            for name, reason in _byline_names(paragraph.text):
                if name not in delegate_names and name not in skipped:
                    skipped[name] = Skipped(name, reason, index, 0, 0)
        position = 0
        for word, flag in _pos(block.text, known):
            start = block.text.find(word, position)
            position = start + len(word)
            if flag != "nr" or not looks_like_name(word) or any(word in n for n in skipped):
                continue
            if word in delegate_names or word in skipped:
                continue
            reason = _role_near(block.text, start, start + len(word))
            if reason:
                skipped[word] = Skipped(word, reason, index, start, start + len(word))
    return list(skipped.values())


def _pos(text: str, known: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Words and tags, with known delegates' names in the user dictionary (so they are not split)."""
    tagger = pos_tokenizer(n for n in known if n in text)
    return list(_tagged(text, tagger.tokenizer.total))


@lru_cache(maxsize=1024)
def _tagged(text: str, dictionary_total: int) -> tuple[tuple[str, str], ...]:
    """jieba's tags of a text, the slowest step of reading an article (an HMM over each block), kept for the
    same text read again in this process (a plan then its ingestion, a second ingestion, a re-extraction).
    The user dictionary only grows, each added name raising its total frequency: the total names the
    dictionary's state, so a text is tagged again whenever a name was added since."""
    return tuple((pair.word, pair.flag) for pair in pos_tokenizer().cut(text))


def _role_near(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 12) : start]
    after = text[end : end + 3]
    for word, reason in SKIP_ROLES:
        if before.endswith(word) or after.startswith(word):
            return reason
    for word, reason in SKIP_ROLES:
        if word in before and not re.search(r"[，,。；、]", before[before.rfind(word) :]):
            return reason
    return ""


def _byline_names(raw: str) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    for match in _BYLINE.finditer(raw):
        role = match.group(1)
        reason = "摄影" if "摄影" in role else ("记者" if "记者" in role or role == "采写" else "采编人员")
        rest = raw[match.end() :]
        rest = re.split(r"[。，,；：:（(]|[\u3000 ]{2,}|(?=记者|通讯员|摄影)", rest)[0]
        tokens = [t for t in re.split(r"[\s\u3000]+", rest) if t]
        merged: list[str] = []
        for token in tokens:
            if merged and len(merged[-1]) == 1 and len(token) == 1:
                merged[-1] += token
            else:
                merged.append(token)
        for token in merged:
            token = re.sub(rf"^[^{_HAN}]*|[^{_HAN}]*$", "", token)
            token = re.sub(r"^(?:[\u4e00-\u9fff]{0,8}?(?:报|新闻|网)(?:全媒体)?记者)", "", token)
            if 2 <= len(token) <= 3 and (token[0] in SURNAMES or token[:2] in SURNAMES):
                names.append((token, reason))
    return names
