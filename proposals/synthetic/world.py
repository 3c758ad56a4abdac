"""The records synthetic proposals point at: provinces and cities, articles, delegates with their seats.

Articles are written through ``Article.save()`` (the normal form of the text, its fingerprint), so that the
passages cut from them later satisfy the integrity rule; delegates, memberships and positions are written
in bulk like the proposals.
"""

from __future__ import annotations

import random
import re
from datetime import date

from django.utils import timezone

from proposals import filter_keys
from proposals.models import Article, Delegate, Membership, Organisation, Proposal, Quote, Region, Theme
from proposals.normalise import normalise_article_text
from proposals.synthetic import ARTICLE_PREFIX, REGION_PREFIX, SESSION
from proposals.synthetic.batches import World, pick, zipf_cumulative
from proposals.synthetic.load import Writer, columns_for, next_id

# Province-level units by size (the first ones dominate), with a few cities each.
PROVINCES = [
    ("广东省", "guangdong", ["广州市", "深圳市", "佛山市"]),
    ("江苏省", "jiangsu", ["南京市", "无锡市"]),
    ("浙江省", "zhejiang", ["杭州市", "宁波市"]),
    ("山东省", "shandong", ["济南市", "青岛市"]),
    ("北京市", "beijing", ["海淀区", "朝阳区"]),
    ("上海市", "shanghai", ["浦东新区"]),
    ("四川省", "sichuan", ["成都市"]),
    ("河南省", "henan", ["郑州市", "洛阳市"]),
    ("湖北省", "hubei", ["宜昌市"]),
    ("湖南省", "hunan", ["长沙市"]),
    ("福建省", "fujian", ["福州市", "厦门市"]),
    ("安徽省", "anhui", ["合肥市"]),
    ("河北省", "hebei", ["石家庄市"]),
    ("重庆市", "chongqing", []),
    ("辽宁省", "liaoning", ["沈阳市", "大连市"]),
    ("陕西省", "shaanxi", ["西安市"]),
    ("江西省", "jiangxi", ["南昌市"]),
    ("天津市", "tianjin", []),
    ("云南省", "yunnan", ["昆明市"]),
    ("广西壮族自治区", "guangxi", ["南宁市"]),
    ("山西省", "shanxi", ["太原市"]),
    ("贵州省", "guizhou", ["贵阳市"]),
    ("黑龙江省", "heilongjiang", ["哈尔滨市"]),
    ("吉林省", "jilin", ["长春市"]),
    ("内蒙古自治区", "neimenggu", []),
    ("新疆维吾尔自治区", "xinjiang", []),
    ("甘肃省", "gansu", []),
    ("海南省", "hainan", []),
    ("宁夏回族自治区", "ningxia", []),
    ("青海省", "qinghai", []),
    ("西藏自治区", "xizang", []),
]
BODIES = [  # (code, weight, level of its region)
    ("npc", 9, "province"),
    ("cppcc", 7, None),
    ("provincial-cppcc", 20, "province"),
    ("municipal-cppcc", 24, "city"),
    ("district-cppcc", 14, "city"),
    ("provincial-congress", 9, "province"),
    ("municipal-congress", 11, "city"),
    ("district-congress", 6, "city"),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文玉兰红新宇浩鹏晨欣雪梅林海峰春"
TITLES = ["董事长", "总经理", "院长", "主任", "教授", "研究员", "副主席", "局长", "理事长"]
_SENTENCE_END = re.compile(r"(?<=[。！？])")


def corpus_sentences() -> list[str]:
    return [
        s
        for a in Article.objects.exclude(file_name__startswith=ARTICLE_PREFIX)
        for s in _SENTENCE_END.split(a.text.replace("\n", ""))
        if 12 <= len(s) <= 200
    ]


def provinces_and_cities() -> list[tuple[Region, list[Region]]]:
    """Every province of PROVINCES (the corpus's own when it has it), with cities; missing ones are made."""
    existing = {r.name: r for r in Region.objects.filter(parent__isnull=True)}
    out = []
    for name, slug, cities in PROVINCES:
        province = existing.get(name)
        if province is None:
            province, _ = Region.objects.get_or_create(
                slug=f"{REGION_PREFIX}{slug}", defaults={"name": name, "level": "province"}
            )
        children = {c.name: c for c in province.children.all()}
        for i, city in enumerate(cities):
            if city not in children:
                children[city], _ = Region.objects.get_or_create(
                    slug=f"{REGION_PREFIX}{slug}-{i}",
                    defaults={"name": city, "level": "city", "parent": province},
                )
        out.append((province, list(children.values())))
    return out


def make_articles(rng: random.Random, sentences: list[str], count: int) -> list[Article]:
    outlets = ["人民政协报", "人民日报", "新华社", "光明日报", "经济日报", ""]
    made = []
    for i in range(count):
        paragraphs = ["".join(rng.sample(sentences, rng.randint(2, 6))) for _ in range(rng.randint(6, 14))]
        article = Article(
            title=f"合成文章{i + 1}：{rng.choice(sentences)[:24]}",
            outlet=rng.choice(outlets),
            published_on=date(rng.choice([2022, 2023, 2024, 2025]), 3, rng.randint(1, 15)),
            file_name=f"{ARTICLE_PREFIX}{rng.randrange(10**9)}-{i}.txt",
            text=normalise_article_text("\n\n".join(paragraphs) + "\n"),
        )
        article.save()
        made.append(article)
    return made


def sentence_starts(text: str) -> list[int]:
    starts = [0] + [m.end() for m in re.finditer(r"[。！？\n]+", text)]
    return [s for s in starts if s < len(text) and not text[s].isspace()]


def make_delegates(rng: random.Random, count: int, writer: Writer) -> tuple[list, list]:
    """Delegates with one seat (a tenth with two) and, for four in ten, a position: (index, seats)."""
    regions = provinces_and_cities()
    province_weights = zipf_cumulative(len(regions), 1.0)
    organisations = list(Organisation.objects.values_list("pk", "name"))
    org_weights = zipf_cumulative(len(organisations), 1.0) if organisations else []
    now = timezone.now()
    first_delegate, first_membership = next_id(Delegate), next_id(Membership)
    delegates: list[dict] = []
    memberships: list[dict] = []
    positions: list[dict] = []
    index: list[tuple[int, str]] = []
    seats: list[list[tuple[int, str]]] = []
    for i in range(count):
        pk = first_delegate + i
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice([1, 2, 2])))
        delegates.append(
            {
                "id": pk,
                "created_at": now,
                "updated_at": now,
                "first_published_at": now,
                "status": "published",
                "name": name,
                "note": SESSION,
                "merged_into_id": None,
            }
        )
        names = [name]
        mine: list[tuple[int, str]] = []
        for _ in range(2 if rng.random() < 0.1 else 1):
            code, _, level = rng.choices(BODIES, weights=[b[1] for b in BODIES])[0]
            province, cities = regions[pick(rng, province_weights)]
            region = (
                None
                if level is None
                else province
                if level == "province" or not cities
                else rng.choice(cities)
            )
            if any(c == code for _, c in mine):
                continue
            mid = first_membership + len(memberships)
            memberships.append(
                {
                    "id": mid,
                    "created_at": now,
                    "updated_at": now,
                    "delegate_id": pk,
                    "body": code,
                    "region_id": region.pk if region else None,
                    "article_id": None,
                    "evidence": "",
                    "sector": "",
                    "role": "member",
                    "term": "",
                }
            )
            mine.append((mid, code))
        if organisations and rng.random() < 0.4:
            org_id, org_name = organisations[pick(rng, org_weights)]
            positions.append(
                {
                    "created_at": now,
                    "updated_at": now,
                    "delegate_id": pk,
                    "organisation_id": org_id,
                    "title": rng.choice(TITLES),
                    "order": 0,
                    "article_id": None,
                    "evidence": "",
                }
            )
            names.append(org_name)
        index.append((pk, " ".join(names)))
        seats.append(mine)
    writer.write("delegate", delegates)
    writer.write("membership", memberships)
    writer.write("position", positions)
    return index, seats


def build_world(
    *, proposals: int, delegates: int, articles: int, seed: int, batch_size: int, writer: Writer
) -> World:
    rng = random.Random(seed)
    sentences = corpus_sentences()
    themes = list(Theme.objects.values_list("pk", flat=True))
    if not sentences or not themes:
        raise ValueError("load the corpus first (manage.py load_corpus)")
    rng.shuffle(themes)  # which themes dominate depends on the seed
    made = make_articles(rng, sentences, articles)
    people, seats = make_delegates(rng, delegates, writer)
    author_keys = filter_keys.delegate_keys([pk for pk, _ in people])
    return World(
        seed=seed,
        batch_size=batch_size,
        first_proposal_id=next_id(Proposal),
        first_quote_id=next_id(Quote),
        now=timezone.now(),
        delegates=people,
        memberships=seats,
        delegate_keys=[tuple(sorted(author_keys[pk])) for pk, _ in people],
        delegate_weights=zipf_cumulative(len(people), 0.6),
        themes=themes,
        theme_weights=zipf_cumulative(len(themes), 1.1),
        articles=[
            (a.pk, a.text, sentence_starts(a.text), (a.published_on is None, a.published_on or 0, a.pk))
            for a in made
        ],
        article_weights=zipf_cumulative(len(made), 0.5),
        columns={key: columns_for(key) for key in ("proposal", "authorship", "theme", "quote", "passage")},
        copy_format=writer.copy,
    )
