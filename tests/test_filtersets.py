"""Every filter of every FilterSet has a test (NetBox's rule): one test class per FilterSet, one
``test_<filter>`` method per filter, and ``test_every_filter_has_a_test`` fails when a filter lands without
one. The API FilterSets run the shared tests again (they subclass the site's) and add their own.

The records are small and named (tests/factories.py), on a database without the curated corpus.
"""

from __future__ import annotations

import copy
import datetime
import inspect
from types import SimpleNamespace

import pytest
from django.http import QueryDict
from django.utils import timezone
from django_filters import FilterSet

import proposals.api.filters
import proposals.filters
from proposals import changes
from proposals.api.filters import Q_MAX_LENGTH, ApiDelegateFilterSet, ApiProposalFilterSet
from proposals.filters import DelegateFilterSet, ProposalFilterSet
from proposals.models import Body, Delegate, Proposal, ProposalKind, RegionLevel, ReviewStatus
from tests.factories import (
    AliasFactory,
    DelegateFactory,
    MembershipFactory,
    OrganisationFactory,
    PositionFactory,
    ProposalFactory,
    RegionFactory,
    ThemeFactory,
    delete_curated_records,
    rolled_back_after,
)


@pytest.fixture(scope="module")
def _module_records(django_db_setup, django_db_blocker):
    """The records, made once for this module on a database without the corpus, in a transaction rolled back
    after its last test (each test runs in a savepoint inside it: its own writes roll back)."""
    with rolled_back_after(django_db_blocker):
        with django_db_blocker.unblock():
            delete_curated_records()
            with changes.suspended():  # made at once, like a fixture load: no change to propagate yet
                records = _world()
        yield records


@pytest.fixture
def world(_module_records, db):
    """Three delegates in three bodies and regions, three published proposals and a draft: each test gets its
    own copies of the instances (a test that edits and saves one leaves the next test's copy as made)."""
    return copy.deepcopy(_module_records)


def _world() -> SimpleNamespace:
    hubei = RegionFactory(name="湖北", slug="hubei", level=RegionLevel.PROVINCE)
    wuhan = RegionFactory(name="武汉", slug="wuhan", level=RegionLevel.CITY, parent=hubei)
    chongqing = RegionFactory(name="重庆", slug="chongqing", level=RegionLevel.PROVINCE)
    ai = ThemeFactory(name="人工智能", slug="ai")
    energy = ThemeFactory(name="新能源", slug="energy")
    xiaomi = OrganisationFactory(name="小米集团")
    iflytek = OrganisationFactory(name="科大讯飞")

    lei = DelegateFactory(name="雷军")
    liu = DelegateFactory(name="刘庆峰")
    wang = DelegateFactory(name="王宁")
    AliasFactory(delegate=liu, name="刘董")
    lei_npc = MembershipFactory(delegate=lei, body=Body.NPC, region=hubei)
    liu_cppcc = MembershipFactory(delegate=liu, body=Body.CPPCC, region=None)
    wang_city = MembershipFactory(delegate=wang, body=Body.MUNICIPAL_CPPCC, region=wuhan)
    MembershipFactory(delegate=wang, body=Body.NPC, region=chongqing)
    PositionFactory(delegate=lei, organisation=xiaomi)
    PositionFactory(delegate=liu, organisation=iflytek)

    ai_industry = ProposalFactory(
        title="发展人工智能产业",
        authors=[lei_npc],
        themes=[ai],
        quote="建议发展人工智能产业。",
        date=datetime.date(2024, 3, 5),
    )
    new_energy = ProposalFactory(
        title="推广新能源汽车",
        authors=[liu_cppcc],
        themes=[energy],
        quote="建议推广新能源汽车。",
        kind=ProposalKind.PROPOSAL,
        date=datetime.date(2023, 3, 4),
    )
    connected_cars = ProposalFactory(
        title="建设智能网联汽车城市",
        authors=[wang_city, lei],
        themes=[ai, energy],
        quote="武汉要建设智能网联汽车。",
        kind=ProposalKind.SPEECH,
        date=None,
        year=2024,
    )
    ProposalFactory(title="草稿", authors=[lei_npc], status=ReviewStatus.DRAFT)
    return SimpleNamespace(**locals())


def titles(filterset_class, query: str, queryset) -> set[str] | list[str]:
    filterset = filterset_class(QueryDict(query), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return {str(record) for record in filterset.qs}


def ordered(filterset_class, query: str, queryset) -> list[str]:
    filterset = filterset_class(QueryDict(query), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return [str(record) for record in filterset.qs]


def errors(filterset_class, query: str, queryset) -> dict:
    filterset = filterset_class(QueryDict(query), queryset=queryset)
    return {} if filterset.is_valid() else dict(filterset.errors)


class TestProposalFilterSet:
    filterset: type[FilterSet] = ProposalFilterSet

    def find(self, query: str) -> set[str]:
        return titles(self.filterset, query, Proposal.objects.published())

    def test_q(self, world):
        assert self.find("q=推广") == {"推广新能源汽车"}
        # a query that names a theme also finds the proposals on it (issue 13: ranked below text matches)
        assert self.find("q=新能源汽车") == {"推广新能源汽车", "建设智能网联汽车城市"}
        assert self.find("q=雷军") == {"发展人工智能产业", "建设智能网联汽车城市"}  # the authors' names count

    def test_theme(self, world):
        assert self.find("theme=energy") == {"推广新能源汽车", "建设智能网联汽车城市"}
        assert self.find("theme=ai&theme=energy") == {
            "发展人工智能产业",
            "推广新能源汽车",
            "建设智能网联汽车城市",
        }
        assert "theme" in errors(self.filterset, "theme=nothing", Proposal.objects.all())

    def test_body(self, world):
        assert self.find("body=cppcc") == {"推广新能源汽车"}
        assert self.find("body=npc&body=municipal-cppcc") == {"发展人工智能产业", "建设智能网联汽车城市"}

    def test_region(self, world):
        assert self.find("region=wuhan") == {"建设智能网联汽车城市"}
        # A region includes the regions inside it; a delegate's other memberships count too.
        assert self.find("region=hubei") == {"发展人工智能产业", "建设智能网联汽车城市"}
        assert self.find("region=chongqing") == {"建设智能网联汽车城市"}

    def test_delegate(self, world):
        assert self.find(f"delegate={world.liu.pk}") == {"推广新能源汽车"}
        assert self.find(f"delegate={world.lei.pk}") == {"发展人工智能产业", "建设智能网联汽车城市"}
        assert "delegate" in errors(self.filterset, "delegate=abc", Proposal.objects.all())

    def test_organisation(self, world):
        assert self.find(f"organisation={world.iflytek.pk}") == {"推广新能源汽车"}
        assert self.find(f"organisation={world.xiaomi.pk}") == {"发展人工智能产业", "建设智能网联汽车城市"}

    def test_kind(self, world):
        assert self.find("kind=speech") == {"建设智能网联汽车城市"}
        assert self.find("kind=proposal&kind=suggestion") == {"推广新能源汽车", "发展人工智能产业"}

    def test_year(self, world):
        assert self.find("year=2023") == {"推广新能源汽车"}
        assert "year" in errors(self.filterset, "year=1900", Proposal.objects.all())

    def test_date_after(self, world):
        assert self.find("date_after=2024-01-01") == {"发展人工智能产业"}  # undated proposals have no date

    def test_date_before(self, world):
        assert self.find("date_before=2023-12-31") == {"推广新能源汽车"}

    def test_updated_after(self, world):
        since = timezone.now()
        world.new_energy.summary = "编者概述"
        world.new_energy.save()
        stamp = since.isoformat().replace("+00:00", "Z")
        assert self.find(f"updated_after={stamp}") == {"推广新能源汽车"}

    def test_id(self, world):
        ids = f"{world.ai_industry.pk},{world.new_energy.pk}"
        assert self.find(f"id={ids}") == {"发展人工智能产业", "推广新能源汽车"}
        assert "id" in errors(self.filterset, "id=-1", Proposal.objects.all())

    def test_ordering(self, world):
        oldest_first = ordered(self.filterset, "ordering=date", Proposal.objects.published())
        assert oldest_first == ["推广新能源汽车", "发展人工智能产业", "建设智能网联汽车城市"]  # undated last
        newest_first = ordered(self.filterset, "", Proposal.objects.published())
        assert newest_first == ["发展人工智能产业", "推广新能源汽车", "建设智能网联汽车城市"]


class TestApiProposalFilterSet(TestProposalFilterSet):
    filterset = ApiProposalFilterSet

    def test_q(self, world):
        super().test_q(world)
        too_long = "字" * (Q_MAX_LENGTH + 1)
        assert "q" in errors(self.filterset, f"q={too_long}", Proposal.objects.all())


class TestDelegateFilterSet:
    filterset: type[FilterSet] = DelegateFilterSet

    def find(self, query: str) -> set[str]:
        return titles(self.filterset, query, Delegate.objects.published())

    def test_q(self, world):
        assert self.find("q=雷") == {"雷军"}
        assert self.find("q=刘董") == {"刘庆峰"}  # an alias
        assert self.find("q=劉") == {"刘庆峰"}  # traditional characters are simplified

    def test_body(self, world):
        assert self.find("body=npc") == {"雷军", "王宁"}
        assert self.find("body=cppcc&body=municipal-cppcc") == {"刘庆峰", "王宁"}

    def test_region(self, world):
        assert self.find("region=hubei") == {"雷军", "王宁"}  # 武汉 is inside 湖北
        assert self.find("region=chongqing") == {"王宁"}

    def test_organisation(self, world):
        assert self.find(f"organisation={world.xiaomi.pk}") == {"雷军"}

    def test_updated_after(self, world):
        since = timezone.now()
        world.wang.note = "武汉市政协委员"
        world.wang.save()
        assert self.find(f"updated_after={since.isoformat().replace('+00:00', 'Z')}") == {"王宁"}

    def test_id(self, world):
        assert self.find(f"id={world.lei.pk}&id={world.wang.pk}") == {"雷军", "王宁"}


class TestApiDelegateFilterSet(TestDelegateFilterSet):
    filterset = ApiDelegateFilterSet

    def test_q(self, world):
        super().test_q(world)
        assert "q" in errors(self.filterset, "q=" + "字" * (Q_MAX_LENGTH + 1), Delegate.objects.all())

    def test_ordering(self, world):
        world.lei.note = "最近修改"
        world.lei.save()
        by_name = ordered(self.filterset, "", Delegate.objects.published())
        assert by_name == sorted(by_name)
        by_update = ordered(self.filterset, "ordering=updated_at", Delegate.objects.published())
        assert by_update[-1] == "雷军"


FILTERSET_TESTS: dict[type[FilterSet], type] = {
    ProposalFilterSet: TestProposalFilterSet,
    ApiProposalFilterSet: TestApiProposalFilterSet,
    DelegateFilterSet: TestDelegateFilterSet,
    ApiDelegateFilterSet: TestApiDelegateFilterSet,
}


def test_every_filterset_has_a_test_class():
    defined = {
        cls
        for module in (proposals.filters, proposals.api.filters)
        for cls in vars(module).values()
        if inspect.isclass(cls) and issubclass(cls, FilterSet) and cls.__module__ == module.__name__
    }
    assert defined == set(FILTERSET_TESTS), "add a Test<FilterSet> class and list it in FILTERSET_TESTS"


@pytest.mark.parametrize("filterset", FILTERSET_TESTS, ids=lambda f: f.__name__)
def test_every_filter_has_a_test(filterset):
    tests = FILTERSET_TESTS[filterset]
    assert tests.filterset is filterset
    missing = sorted(name for name in filterset.base_filters if not hasattr(tests, f"test_{name}"))
    assert not missing, f"{filterset.__name__}: write {tests.__name__}.test_<filter> for {missing}"


def test_the_search_is_tested_after_the_filter_keys(db):
    """PostgreSQL tests a row's conditions in the order written: the keys (bytes in the row) before the
    search (the de-toasted tsvector and text), on the list and on every facet's selection."""
    from proposals.facets import filtered_without

    ThemeFactory(slug="energy-order")
    filterset = ProposalFilterSet(
        {"q": "氢能产业", "theme": "energy-order", "body": "npc"}, queryset=Proposal.objects.published()
    )
    assert filterset.is_valid(), filterset.errors
    ranked = filterset.qs.query.unbounded  # the selection whose newest matches are ranked
    for qs in (ranked, filtered_without(filterset, "theme"), filtered_without(filterset, "body")):
        sql = str(qs.query)
        where = sql[sql.index(" WHERE ") :]
        assert where.rindex("filter_") < where.index("search_"), where
