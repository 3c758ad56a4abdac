"""Small, named test data: factories for every curated model, written through the models' own save().

Tests that are not about the curated corpus build the few records they need here, on a database without
the corpus (the ``blank_db`` fixture), so that editing ``fixtures/curation.yaml`` cannot break them.

``ProposalFactory(words=…)`` quotes the words from an article (made for it unless ``article`` is given),
locating the passage as the admin does, and rewrites the proposal's derived columns (``text`` and the
search columns) as the on-commit hook would: tests run inside a transaction that never commits.

``build_world()`` (fixtures ``world``, once per module, and ``fresh_world``, once per test) builds the small
named world the page, filter, admin and API tests share: the corpus's shape in two dozen proposals.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import factory
import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import transaction
from factory.django import DjangoModelFactory

from proposals.indexing import reindex_proposals
from proposals.models import (
    Article,
    AuthorRole,
    Authorship,
    Body,
    Delegate,
    DelegateAlias,
    Membership,
    Organisation,
    OrganisationKind,
    Position,
    Proposal,
    ProposalKind,
    Quote,
    QuotePassage,
    Region,
    RegionLevel,
    ReviewStatus,
    Theme,
)

T = TypeVar("T")
K = TypeVar("K")


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"地区{n}")
    slug = factory.Sequence(lambda n: f"region-{n}")
    level = factory.LazyAttribute(lambda r: RegionLevel.CITY if r.parent else RegionLevel.PROVINCE)
    parent = None


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"机构{n}")
    kind = OrganisationKind.COMPANY


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"主题{n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")
    order = factory.Sequence(lambda n: n)


class DelegateFactory(DjangoModelFactory):
    class Meta:
        model = Delegate

    name = factory.Sequence(lambda n: f"代表{n}号")
    status = ReviewStatus.PUBLISHED


class AliasFactory(DjangoModelFactory):
    class Meta:
        model = DelegateAlias

    delegate = factory.SubFactory(DelegateFactory)
    name = factory.Sequence(lambda n: f"别名{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    delegate = factory.SubFactory(DelegateFactory)
    body = Body.NPC
    region = None


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = Position

    delegate = factory.SubFactory(DelegateFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = "董事长"


class ArticleFactory(DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"文章{n}")
    outlet = "新华社"
    published_on = datetime.date(2024, 3, 5)
    file_name = factory.Sequence(lambda n: f"article-{n}.txt")
    text = "全国两会期间，代表委员提出建议。\n他们关注发展。"


DEFAULT_WORDS = "建议加快发展新质生产力。"


class ProposalFactory(DjangoModelFactory):
    """A proposal with its authors, themes and one quote. ``authors``: delegates or memberships, the first
    the lead; ``themes``: Theme records; ``quote``: the words the delegate said (quoted verbatim from
    ``quote__article``, or from an article made to contain them; ``quote=""`` for none)."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"建言{n}")
    summary = ""
    kind = ProposalKind.SUGGESTION
    year = factory.LazyAttribute(lambda p: p.date.year if p.date else 2024)
    date = datetime.date(2024, 3, 5)
    status = ReviewStatus.PUBLISHED

    @factory.post_generation
    def authors(self, create: bool, extracted: Iterable[Delegate | Membership] | None, **kwargs: Any) -> None:
        for order, author in enumerate(extracted or (), start=1):
            membership = author if isinstance(author, Membership) else None
            Authorship.objects.create(
                proposal=self,
                delegate=membership.delegate if membership else author,
                membership=membership,
                role=AuthorRole.LEAD if order == 1 else AuthorRole.COSIGNER,
                order=order,
            )

    @factory.post_generation
    def themes(self, create: bool, extracted: Iterable[Theme] | None, **kwargs: Any) -> None:
        if extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def quote(
        self, create: bool, extracted: str | None, article: Article | None = None, **kwargs: Any
    ) -> None:
        words = DEFAULT_WORDS if extracted is None else extracted
        if words:
            quote_words(self, words, article)
        reindex_proposals([self.pk])
        self.refresh_from_db()


def quote_words(proposal: Proposal, words: str, article: Article | None = None) -> Quote:
    """Quote these words for the proposal from the article (one made for them if none is given)."""
    if article is None:
        article = ArticleFactory(text=f"记者报道。\n{words}\n会议继续进行。")
    quote = Quote.objects.create(proposal=proposal, article=article)
    QuotePassage.objects.create(quote=quote, order=1, text=words)  # offsets located on save
    return quote


def reindexed(proposal: Proposal) -> Proposal:
    """The proposal with its derived columns rewritten (after its authors, aliases or quotes changed)."""
    reindex_proposals([proposal.pk])
    proposal.refresh_from_db()
    return proposal


# --- a small named world ------------------------------------------------------------------------------------
# The shape of the curated corpus in two dozen proposals, built on a blank database: the names, slugs and bodies
# the page, filter and API tests speak of, with only what those tests assert. Editing fixtures/curation.yaml
# cannot change it; a test that needs another record builds it with the factories above.

# name: (body, region slug, kind, date, theme slugs, the words quoted)
WORLD_PROPOSALS: dict[str, tuple[str, str | None, str, str | None, list[str], str]] = {
    "华鹏": (
        "provincial-cppcc",
        "chongqing",
        "speech",
        "2024-01-21",
        ["new-energy-vehicles"],
        "加强整零协同发展，进一步夯实重庆智能网联新能源汽车产业发展基础。",
    ),
    "许林": (
        "provincial-cppcc",
        "chongqing",
        "speech",
        "2024-01-21",
        ["new-energy-vehicles", "smart-manufacturing"],
        "打造高端智能网联新能源汽车新标杆，支持企业协同创新。",
    ),
    "马旭明": (
        "provincial-cppcc",
        "hubei",
        "view",
        "2024-05-22",
        ["smart-manufacturing"],
        "以新质生产力赋能传统产业转型升级。",
    ),
    "华豫民": (
        "provincial-cppcc",
        "hubei",
        "speech",
        "2024-05-22",
        ["computing-power", "digital-economy"],
        "在算力细分领域打造湖北差异化优势。",
    ),
    "曾军": (
        "provincial-cppcc",
        "hubei",
        "speech",
        "2024-05-22",
        ["computing-power"],
        "推动算光协同向算光一体跃升。",
    ),
    "刘艺璇": (
        "municipal-cppcc",
        "hubei-wuhan",
        "speech",
        "2024-05-22",
        ["smart-manufacturing", "digital-economy"],
        "编制武汉市重点行业智能化改造数字化转型实施方案。",
    ),
    "屠红燕": (
        "npc",
        "zhejiang",
        "suggestion",
        None,
        ["artificial-intelligence"],
        "抢抓人工智能等新质生产力，激活历史经典产业。",
    ),
    "景亚萍": (
        "cppcc",
        None,
        "proposal",
        None,
        ["artificial-intelligence", "digital-economy", "computing-power"],
        "抢抓人工智能风口机遇，加快发展新质生产力。",
    ),
    "雷军": (
        "npc",
        None,
        "suggestion",
        None,
        ["smart-manufacturing", "artificial-intelligence"],
        "促进先进智能技术与制造业融合创新，推动人工智能在制造业的应用。",
    ),
    "刘庆峰": (
        "npc",
        None,
        "suggestion",
        None,
        ["artificial-intelligence", "talent"],
        "完善顶层设计，推动通用人工智能产业发展。",
    ),
    "齐向东": (
        "cppcc",
        None,
        "suggestion",
        None,
        ["cybersecurity", "artificial-intelligence"],
        "创新发展人工智能加安全，护航中国式现代化。",
    ),
    "吴国平": (
        "npc",
        None,
        "suggestion",
        None,
        ["artificial-intelligence", "talent"],
        "进一步加快人工智能在文旅行业中的应用。",
    ),
    "刘汉元": ("npc", "sichuan", "view", None, ["talent"], "带头推进全产业链绿色生产。"),
    "明东": ("cppcc", None, "suggestion", None, ["tech-transfer"], "加强国家大科学装置集群产业引领能力。"),
    "唐冬生": ("cppcc", None, "view", None, ["smart-manufacturing"], "以新型工业化推动新质生产力发展。"),
    "蓝庆华": ("npc", "chongqing", "view", "2024-03-06", ["tech-transfer"], "建设国家重要先进制造业中心。"),
    "许洪斌": ("npc", "chongqing", "view", "2024-03-06", ["tech-transfer"], "更加突出经营主体地位。"),
    "杜卫东": ("npc", "chongqing", "view", "2024-03-06", ["smart-manufacturing"], "集成电路产业是主阵地。"),
    "倪忠明": ("district-cppcc", None, "view", None, ["smart-manufacturing"], "推动电梯安装行业规范发展。"),
}
# 毛万春 is a member of two bodies (Hunan's CPPCC and the national one): a proposal as each
MAO_PROPOSALS = (
    ("provincial-cppcc", "hunan", "proposal", "支持长沙争创国家级平台。"),
    ("cppcc", None, "view", "推动更多科技成果转化为现实生产力。"),
)
# 史浩飞 (NPC, Chongqing) has two proposals, both dated 2024-03-06
SHI_WORDS = ("提升科技领军企业基础研究能力。", "加强产业关键共性技术的供给。")
# name: [(organisation, title)]
WORLD_POSITIONS: dict[str, list[tuple[str, str]]] = {
    "雷军": [("小米集团", "创始人、董事长兼CEO")],
    "刘庆峰": [("科大讯飞", "董事长")],
    "齐向东": [("全国工商联", "副主席"), ("奇安信科技集团", "董事长")],
    "刘汉元": [("全国工商联", "副主席"), ("通威集团", "董事局主席")],
    "景亚萍": [("贵州省大数据发展管理局", "局长")],
    "史浩飞": [("中国科学院重庆绿色智能技术研究院", "研究员")],
    "毛万春": [("湖南省政协", "主席")],
}
# 景亚萍 (a national member, no region on her membership) belongs to Guizhou through her organisation
ORGANISATION_REGIONS = {"贵州省大数据发展管理局": "guizhou"}
CHONGQING_DAILY = ("华鹏", "许林", "蓝庆华", "许洪斌", "杜卫东")
WORLD_THEMES = {
    "artificial-intelligence": "人工智能",
    "smart-manufacturing": "智能制造",
    "new-energy-vehicles": "新能源汽车",
    "computing-power": "算力",
    "digital-economy": "数字经济",
    "cybersecurity": "网络安全",
    "tech-transfer": "科技成果转化",
    "talent": "人才",
}


# The first paragraph of every article of the world: long enough for the admin tests that cut passages at
# fixed offsets, and without a repeated phrase (a passage is located at its first occurrence).
REPORT_OPENING = (
    "本报记者从全国两会现场获悉，今年的代表委员围绕科技创新、产业升级、区域协调发展等议题，提交了大量"
    "建议和提案。在人民大会堂的分组讨论中，来自制造业、信息技术、金融和教育等领域的代表委员畅所欲言，"
    "结合各自所在地区和行业的实际情况，提出了许多具体可行的意见。有的代表谈到企业在研发投入方面面临的"
    "困难，希望进一步完善税收优惠政策；有的委员关注高校毕业生就业问题，呼吁加强职业技能培训；还有的代"
    "表建议加快建设统一开放的全国大市场，破除地方保护和市场分割。会场内外，记者随处可以感受到大家对高"
    "质量发展的信心。一位来自西部省份的代表告诉记者，近年来当地依托资源禀赋，培育壮大特色优势产业，群"
    "众收入稳步增加。另一位来自东部沿海城市的委员则介绍了当地推动数字化转型的经验，认为数据要素的价值"
    "正在加速释放。多位代表委员表示，将把群众的期盼带到会上，把会议精神带回基层，为经济社会发展贡献智"
    "慧和力量。与会人员还就生态环境保护、养老服务体系建设和乡村基础设施改善等民生话题展开了热烈讨论，"
    "现场气氛十分活跃。大会秘书处介绍，截至目前共收到各类意见建议数千件，将按程序及时交办。"
)


def reported(words: str, outlet: str = "新华社", **fields: Any) -> Article:
    """An article of the world that quotes these words in its second paragraph."""
    return ArticleFactory(outlet=outlet, text=f"{REPORT_OPENING}\n{words}\n会议继续进行。", **fields)


WORLD_UPDATED_AT = datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)


@dataclass
class World:
    regions: dict[str, Region]
    themes: dict[str, Theme]
    organisations: dict[str, Organisation]
    delegates: dict[str, Delegate]
    proposals: dict[str, list[Proposal]]

    def proposals_of(self, *names: str) -> set[int]:
        return {p.pk for name in names for p in self.proposals[name]}


def build_world() -> World:
    """The named world (on a blank database: see the ``world`` fixture)."""
    chongqing = RegionFactory(name="重庆市", slug="chongqing")
    hubei = RegionFactory(name="湖北省", slug="hubei")
    regions = {
        "chongqing": chongqing,
        "chongqing-nanan": RegionFactory(
            name="南岸区", slug="chongqing-nanan", parent=chongqing, level=RegionLevel.DISTRICT
        ),
        "hubei": hubei,
        "hubei-wuhan": RegionFactory(name="武汉市", slug="hubei-wuhan", parent=hubei),
        "zhejiang": RegionFactory(name="浙江省", slug="zhejiang"),
        "sichuan": RegionFactory(name="四川省", slug="sichuan"),
        "guizhou": RegionFactory(name="贵州省", slug="guizhou"),
        "hunan": RegionFactory(name="湖南省", slug="hunan"),
    }
    themes = {slug: ThemeFactory(slug=slug, name=name) for slug, name in WORLD_THEMES.items()}
    organisations: dict[str, Organisation] = {}
    delegates: dict[str, Delegate] = {}
    proposals: dict[str, list[Proposal]] = {}

    def member(name: str, body: str, region: str | None) -> Membership:
        if name in delegates:  # another membership of someone already made
            return MembershipFactory(
                delegate=delegates[name], body=body, region=regions[region] if region else None
            )
        delegates[name] = DelegateFactory(name=name)
        for organisation, title in WORLD_POSITIONS.get(name, []):
            if organisation not in organisations:
                home = regions.get(ORGANISATION_REGIONS.get(organisation, ""))
                organisations[organisation] = OrganisationFactory(name=organisation, region=home)
            PositionFactory(delegate=delegates[name], organisation=organisations[organisation], title=title)
        return MembershipFactory(
            delegate=delegates[name], body=body, region=regions[region] if region else None
        )

    shi = member("史浩飞", Body.NPC, "chongqing")
    proposals["史浩飞"] = [
        ProposalFactory(
            authors=[shi],
            title=words.rstrip("。"),
            kind=ProposalKind.SUGGESTION,
            date=datetime.date(2024, 3, 6),
            themes=[themes["tech-transfer"]],
            quote=words,
            quote__article=reported(words),
        )
        for words in SHI_WORDS
    ]
    # the first was reported by a second outlet too
    quote_words(
        proposals["史浩飞"][0],
        SHI_WORDS[0],
        reported(SHI_WORDS[0], outlet="科技日报"),
    )
    reindexed(proposals["史浩飞"][0])
    # the Chongqing members are quoted from one undated article of 重庆日报, each passage inside a longer
    # paragraph
    chongqing_daily = ArticleFactory(
        outlet="重庆日报",
        title="培育新质生产力 推动重庆经济高质量发展",
        published_on=None,
        text="\n".join(
            [REPORT_OPENING]
            + [f"{name}表示：“{WORLD_PROPOSALS[name][5]}”这是他的建议。" for name in CHONGQING_DAILY]
        ),
    )
    mao = [member("毛万春", body, region) for body, region, _, _ in MAO_PROPOSALS]
    delegates["毛万春"] = mao[0].delegate
    proposals["毛万春"] = [
        ProposalFactory(
            authors=[membership],
            kind=kind,
            date=None,
            year=2024,
            quote=words,
            quote__article=reported(words, outlet="", published_on=None),  # a report that names no outlet
        )
        for membership, (_, _, kind, words) in zip(mao, MAO_PROPOSALS, strict=True)
    ]
    for name, (body, region, kind, date, slugs, words) in WORLD_PROPOSALS.items():
        proposals[name] = [
            ProposalFactory(
                authors=[member(name, body, region)],
                kind=kind,
                date=datetime.date.fromisoformat(date) if date else None,
                year=2024,
                themes=[themes[slug] for slug in slugs],
                quote=words,
                quote__article=chongqing_daily if name in CHONGQING_DAILY else reported(words),
            )
        ]
    # as the corpus fixture's records, last changed long before anything a test changes (the sync tests ask
    # for what changed since 2025)
    for model in apps.get_app_config("proposals").get_models():
        if any(field.name == "updated_at" for field in model._meta.fields):
            model._default_manager.update(updated_at=WORLD_UPDATED_AT)
    return World(regions, themes, organisations, delegates, proposals)


def delete_curated_records() -> None:
    """Delete every row of the proposals app (what the ``blank_db`` fixture does, for a wider scope), in one
    transaction: the foreign keys are checked at its end (deferred), whatever the order of the tables."""
    from django.core.cache import cache
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for model in apps.get_app_config("proposals").get_models(include_auto_created=True):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    cache.clear()


@contextmanager
def rolled_back_after(django_db_blocker: Any) -> Iterator[None]:
    """A transaction around a test module's shared records, rolled back after its last test: each test runs
    in a savepoint inside it (pytest-django's ``db``), so a test's own writes still roll back."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# Records built on a blank database, read back after their first build in this process: later calls write the
# same rows again with one INSERT per table instead of running the factories (a second or more of CPU for the
# named world, which nine modules use). Builds are rolled back after their test or module, so the rows and the
# keys in them are those of the first build whatever the backend: SQLite gives the same keys again after a
# rollback and moves its AUTOINCREMENT counter past keys written; on PostgreSQL the sequences are reset after the
# insert, as loaddata does (records made later never collide).
_replays: dict[str, tuple[Any, list[tuple[str, list[str], list[tuple[Any, ...]]]]]] = {}


def _proposals_columns() -> list[tuple[str, list[str]]]:
    """Each proposals-app table with the columns its model writes (not those the database computes, such as
    PostgreSQL's generated search vectors, which it computes again on insert)."""
    return [
        (
            model._meta.db_table,
            [f.column for f in model._meta.concrete_fields if not getattr(f, "generated", False)],
        )
        for model in apps.get_app_config("proposals").get_models(include_auto_created=True)
    ]


def replayed(name: str, build: Callable[[], T], keys: Callable[[T], K], load: Callable[[K], T]) -> T:
    """``build()`` on a database without proposals-app rows, the first time in this process; afterwards the rows
    it wrote, written again. Returns ``load(keys(built))``: records read from the database, the same either
    way (a test that edits one edits its own instance)."""
    from django.db import connection

    quote = connection.ops.quote_name
    if name not in _replays:
        built_keys = keys(build())
        rows = []
        with connection.cursor() as cursor:
            for table, columns in _proposals_columns():
                cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
                rows.append((table, columns, cursor.fetchall()))
        _replays[name] = (built_keys, rows)
    else:
        built_keys, rows = _replays[name]
        with connection.cursor() as cursor:
            for table, columns, values in rows:
                if values:
                    cursor.executemany(
                        f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
                        f"VALUES ({', '.join(['%s'] * len(columns))})",
                        values,
                    )
            # PostgreSQL: a sequence is not rolled back, but loaddata (a test that reloads the corpus) sets it
            # back to its table's highest key: move the sequences of the tables written here past their keys, as
            # loaddata does (only those: an empty table's would go back to 1, under the corpus's keys).
            written = {table for table, _, values in rows if values}
            models = [
                model
                for model in apps.get_app_config("proposals").get_models(include_auto_created=True)
                if model._meta.db_table in written
            ]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    return load(built_keys)


def _world_keys(world: World) -> dict[str, Any]:
    return {
        "regions": {name: r.pk for name, r in world.regions.items()},
        "themes": {slug: t.pk for slug, t in world.themes.items()},
        "organisations": {name: o.pk for name, o in world.organisations.items()},
        "delegates": {name: d.pk for name, d in world.delegates.items()},
        "proposals": {name: [p.pk for p in ps] for name, ps in world.proposals.items()},
    }


def _world_from_keys(keys: dict[str, Any]) -> World:
    def by_key(model: Any, names: dict[str, int]) -> dict[str, Any]:
        found = model._default_manager.in_bulk(names.values())
        return {name: found[pk] for name, pk in names.items()}

    proposals = Proposal.objects.in_bulk([pk for pks in keys["proposals"].values() for pk in pks])
    return World(
        regions=by_key(Region, keys["regions"]),
        themes=by_key(Theme, keys["themes"]),
        organisations=by_key(Organisation, keys["organisations"]),
        delegates=by_key(Delegate, keys["delegates"]),
        proposals={name: [proposals[pk] for pk in pks] for name, pks in keys["proposals"].items()},
    )


def named_world() -> World:
    """The named world on a blank database (``build_world()`` the first time in this process, see ``replayed``)."""
    return replayed("named world", build_world, _world_keys, _world_from_keys)


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The named world, made once for a test module inside a transaction rolled back after its last test."""
    with rolled_back_after(django_db_blocker):
        with django_db_blocker.unblock():
            delete_curated_records()
            built = named_world()
        yield built


@pytest.fixture
def world(_module_world, db) -> World:
    """The small named world on a database without the corpus. Import both fixtures into a test module
    (``from tests.factories import _module_world, world  # noqa: F401``)."""
    return _module_world


@pytest.fixture
def fresh_world(blank_db) -> World:
    """The named world built for one test, for a module whose other tests use the corpus (the module-scoped
    ``world`` would hide the corpus from the tests after it). Import it into the module."""
    return named_world()
