"""The admin at a million proposals (issue 10): no page reads a whole table to show a filter, a count, a
sort or an inline. What can be asserted at test size: query counts that do not grow with rows, capped
inlines, filter choices equal to what a full scan would give, searches equal to what joins would give."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.admin.filters import ProposalArticleFilter, distinct_values
from proposals.admin.forms import NewestRowsFormSet
from proposals.models import (
    Article,
    AuthorRole,
    Authorship,
    Delegate,
    DelegateAlias,
    Organisation,
    Position,
    Proposal,
    ProposalKind,
    Quote,
    QuotePassage,
    ReviewStatus,
)
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def admin_url(model, action: str = "changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def queries(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def listed(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


def filter_choices(response, title: str) -> list[str]:
    spec = next(s for s in response.context["cl"].filter_specs if str(s.title) == title)
    return [str(choice["display"]) for choice in spec.choices(response.context["cl"])]


def signed_proposals(delegate: Delegate, n: int) -> list[Proposal]:
    """n more proposals signed by the delegate, each quoted once in the first article."""
    article = Article.objects.order_by("pk").first()
    membership = delegate.memberships.first()
    made = []
    for i in range(n):
        proposal = Proposal.objects.create(
            title=f"规模建言{i}", kind=ProposalKind.PROPOSAL, year=2024, status=ReviewStatus.PUBLISHED
        )
        Authorship.objects.create(proposal=proposal, delegate=delegate, membership=membership)
        quote = Quote.objects.create(proposal=proposal, article=article)
        QuotePassage.objects.create(quote=quote, order=1, start=0, end=5, text=article.text[:5])
        made.append(proposal)
    return made


# --- change pages: inlines of thousands of rows -----------------------------------------------------------


def test_the_delegate_page_lists_the_newest_proposals_in_a_fixed_number_of_queries(curator_client, corpus):
    delegate = Delegate.objects.filter(memberships__isnull=False).order_by("pk").first()
    url = admin_url(Delegate, "change", delegate.pk)
    before, _ = queries(curator_client, url)
    made = signed_proposals(delegate, NewestRowsFormSet.limit + 5)
    after, response = queries(curator_client, url)
    assert after <= before
    inline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is Authorship)
    shown = [form.instance.proposal_id for form in inline.formset.forms]
    assert shown == [p.pk for p in reversed(made)][: NewestRowsFormSet.limit]
    assert f"?delegate={delegate.pk}" in response.content.decode()


def test_the_article_page_lists_the_newest_quotes_in_a_fixed_number_of_queries(curator_client, corpus):
    article = Article.objects.order_by("pk").first()
    delegate = Delegate.objects.filter(memberships__isnull=False).order_by("pk").first()
    url = admin_url(Article, "change", article.pk)
    before, _ = queries(curator_client, url)
    signed_proposals(delegate, NewestRowsFormSet.limit + 5)
    after, response = queries(curator_client, url)
    assert after <= before
    inline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is Quote)
    assert len(inline.formset.forms) == NewestRowsFormSet.limit
    assert f"?article={article.pk}" in response.content.decode()


def test_a_delegate_page_saves_with_its_capped_list_of_proposals(curator_client, corpus):
    delegate = Delegate.objects.filter(memberships__isnull=False).order_by("pk").first()
    signed_proposals(delegate, NewestRowsFormSet.limit + 5)
    url = admin_url(Delegate, "change", delegate.pk)
    data = change_form_data(curator_client, url)
    data["note"] = "规模测试"
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    delegate.refresh_from_db()
    assert delegate.note == "规模测试"
    assert delegate.authorships.count() >= NewestRowsFormSet.limit + 5  # the rows not shown are untouched


def test_an_authorship_changed_on_the_proposal_does_not_make_the_delegate_form_stale(curator_client, corpus):
    """The delegate page only lists its authorships (links): a colleague editing one on the proposal page
    has not changed anything the delegate form writes."""
    authorship = Authorship.objects.order_by("pk").first()
    delegate_url = admin_url(Delegate, "change", authorship.delegate_id)
    tab = change_form_data(curator_client, delegate_url)
    row_url = admin_url(Authorship, "change", authorship.pk)
    row = change_form_data(curator_client, row_url)
    row["order"] = int(row["order"]) + 7
    assert curator_client.post(row_url, row).status_code == 302
    tab["note"] = "不冲突"
    assert curator_client.post(delegate_url, tab).status_code == 302
    assert Delegate.objects.get(pk=authorship.delegate_id).note == "不冲突"


# --- changelist filters: choices without a scan of the table ---------------------------------------------


def test_the_year_filter_lists_every_year_present(curator_client, corpus):
    _, response = queries(curator_client, admin_url(Proposal))
    years = sorted(set(Proposal.objects.values_list("year", flat=True)))
    assert filter_choices(response, "年份")[1:] == [str(y) for y in years]
    _, response = queries(curator_client, admin_url(Proposal) + f"?year__exact={years[0]}")
    assert listed(response) == set(Proposal.objects.filter(year=years[0]).values_list("pk", flat=True)[:50])


def test_distinct_values_skip_nulls_and_follow_the_column(corpus):
    assert Proposal.objects.filter(date__isnull=True).exists(), "the corpus has undated proposals"
    dates = sorted(set(Proposal.objects.exclude(date=None).values_list("date", flat=True)))
    found = distinct_values(Proposal, "date")
    # SQLite returns dates as text through a raw cursor
    assert [str(d) for d in found] == [str(d) for d in dates]


def test_the_status_filter_counts_each_state(curator_client, corpus, settings):
    _, response = queries(curator_client, admin_url(Proposal))
    published = Proposal.objects.filter(status=ReviewStatus.PUBLISHED).count()
    assert f"已发布（{published:,}）" in filter_choices(response, "审核状态")
    settings.COUNT_EXACT_LIMIT = 3  # above it PostgreSQL shows the planner's estimate, marked approximate
    _, response = queries(curator_client, admin_url(Proposal))
    label = next(c for c in filter_choices(response, "审核状态") if c.startswith("已发布"))
    if connection.vendor == "postgresql":
        assert "约" in label
    else:
        assert label == f"已发布（{published:,}）"


def test_the_article_filter_lists_the_newest_articles_and_the_chosen_one(curator_client, corpus, monkeypatch):
    monkeypatch.setattr(ProposalArticleFilter, "shown", 1)
    quoted = Article.objects.filter(quotes__isnull=False).distinct().order_by("pk")
    oldest, newest = quoted.first(), quoted.last()
    assert oldest != newest
    _, response = queries(curator_client, admin_url(Proposal))
    assert len(filter_choices(response, "来源文章")) == 2  # 全部 + the newest
    _, response = queries(curator_client, admin_url(Proposal) + f"?article={oldest.pk}")
    assert len(filter_choices(response, "来源文章")) == 3  # 全部 + the newest + the chosen one
    expected = set(Proposal.objects.filter(quotes__article=oldest).values_list("pk", flat=True))
    assert listed(response) <= expected and listed(response)


def test_the_delegate_filter_lists_their_proposals(curator_client, corpus):
    authorship = Authorship.objects.select_related("delegate").order_by("pk").first()
    delegate = authorship.delegate
    _, response = queries(curator_client, admin_url(Proposal) + f"?delegate={delegate.pk}")
    assert listed(response) == set(delegate.authorships.values_list("proposal_id", flat=True))
    assert delegate.name in filter_choices(response, "署名人")
    _, response = queries(curator_client, admin_url(Proposal))
    assert all(str(s.title) != "署名人" for s in response.context["cl"].filter_specs)


def test_changelists_offer_only_sorts_an_index_serves(curator_client, corpus):
    _, response = queries(curator_client, admin_url(Proposal))
    assert not any(h["sortable"] for h in result_headers(response.context["cl"]))
    _, response = queries(curator_client, admin_url(Delegate))
    sortable = [
        re.sub(r"<[^>]+>", "", str(h["text"]))
        for h in result_headers(response.context["cl"])
        if h["sortable"]
    ]
    assert sortable == ["姓名", "公开状态", "更新时间"]


# --- delegate search: EXISTS, not joins + DISTINCT --------------------------------------------------------


def test_delegate_search_finds_by_name_alias_note_position_and_id_once_each(curator_client, corpus):
    delegate = Delegate.objects.order_by("pk").first()
    DelegateAlias.objects.create(delegate=delegate, name="规模甲")
    DelegateAlias.objects.create(delegate=delegate, name="规模甲乙")
    organisation = Organisation.objects.order_by("pk").first()
    other = Delegate.objects.order_by("pk")[1]
    Position.objects.create(delegate=other, organisation=organisation, title="规模职务")
    cases = {
        "规模甲": {delegate.pk},  # two matching aliases, listed once
        "规模职务": {other.pk},
        organisation.name: set(
            Delegate.objects.filter(positions__organisation=organisation).values_list("pk", flat=True)
        ),
        delegate.name: set(Delegate.objects.filter(name__contains=delegate.name).values_list("pk", flat=True))
        | set(
            DelegateAlias.objects.filter(name__contains=delegate.name).values_list("delegate_id", flat=True)
        ),
        str(other.pk): {other.pk},
    }
    for term, expected in cases.items():
        with CaptureQueriesContext(connection) as captured:
            response = curator_client.get(admin_url(Delegate), {"q": term})
        assert response.status_code == 200
        pks = [obj.pk for obj in response.context["cl"].result_list]
        assert len(pks) == len(set(pks)), term
        assert set(pks) >= expected, term
        assert not any("DISTINCT" in q["sql"] for q in captured.captured_queries), term


def test_the_lead_role_still_shows_on_the_changelist(curator_client, corpus):
    """(The changelist's annotations are only on the changelist: the list still shows them.)"""
    joint = Proposal.objects.filter(authorships__role=AuthorRole.LEAD).order_by("pk").first()
    _, response = queries(curator_client, admin_url(Proposal) + f"?q={joint.pk}")
    assert "（领衔）" in response.content.decode() or joint.authorships.count() == 1
    _, response = queries(curator_client, admin_url(Delegate))
    assert all(hasattr(d, "proposal_count") for d in response.context["cl"].result_list)
