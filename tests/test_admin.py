"""The curation admin: every page renders, filters and search return the right rows, actions work,
changelists run a fixed number of queries, and the admin refuses what the models refuse. On the small named
world of tests/factories.py, not the curated corpus."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from proposals.models import (
    Article,
    Authorship,
    Body,
    Delegate,
    DelegateAlias,
    Membership,
    Proposal,
    ProposalKind,
    Quote,
    QuotePassage,
    Region,
    RegionLevel,
    ReviewStatus,
    Theme,
)
from tests.admin_forms import change_form_data
from tests.factories import _module_world, world  # noqa: F401

pytestmark = pytest.mark.usefixtures("world")

REGISTERED = list(admin.site._registry)
PROPOSAL_MODELS = [m for m in REGISTERED if m._meta.app_label == "proposals"]


@pytest.fixture(autouse=True)
def _an_alias(request):
    """The world has no alias (every name the articles use is the delegate's name): add one, so that
    every admin page has a record to show."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        delegate = Delegate.objects.get(name="雷军")
        DelegateAlias.objects.create(delegate=delegate, name="测试别名")


def admin_url(model, action: str = "changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def rows(response) -> set[int]:
    """The primary keys of every row the changelist selected (all pages)."""
    assert response.status_code == 200
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_every_proposals_model_is_registered():
    names = {m.__name__ for m in PROPOSAL_MODELS}
    assert names == {
        "Region",
        "Organisation",
        "Delegate",
        "DelegateAlias",
        "Membership",
        "Position",
        "Article",
        "Quote",
        "QuotePassage",
        "Proposal",
        "Authorship",
        "Theme",
    }


# --- every page renders -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_renders(curator_client, model):
    response = curator_client.get(admin_url(model))
    assert response.status_code == 200
    if model._meta.app_label == "proposals":
        assert response.context["cl"].result_count > 0, "the world has records of every model"


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_add_page_renders(curator_client, model):
    assert curator_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_change_page_renders(curator_client, curator, model):
    if model is Group:
        Group.objects.create(name="编辑")
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"no {model.__name__} in the world"
    response = curator_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", PROPOSAL_MODELS, ids=lambda m: m._meta.label)
def test_delete_page_renders(curator_client, model):
    obj = model._default_manager.order_by("pk").first()
    assert curator_client.get(admin_url(model, "delete", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", PROPOSAL_MODELS, ids=lambda m: m._meta.label)
def test_changelist_search_renders(curator_client, model):
    assert curator_client.get(admin_url(model), {"q": "委员"}).status_code == 200


def _autocomplete_fields():
    """(model, field) for every autocomplete field of every ModelAdmin and inline."""
    pairs = set()
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.autocomplete_fields:
            pairs.add((model, name))
        for inline in model_admin.inlines:
            for name in inline.autocomplete_fields:
                pairs.add((inline.model, name))
    return sorted(pairs, key=lambda pair: (pair[0]._meta.label, pair[1]))


@pytest.mark.parametrize(("model", "field"), _autocomplete_fields(), ids=lambda v: getattr(v, "__name__", v))
def test_autocomplete_renders(curator_client, model, field):
    """The autocomplete JSON behind every autocomplete field answers, with results."""
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": model._meta.app_label,
            "model_name": model._meta.model_name,
            "field_name": field,
            "term": "",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"]


# --- proposal changelist: search and filters ----------------------------------------------------------


def test_proposal_search_by_delegate_name(curator_client):
    authorship = Authorship.objects.select_related("delegate").order_by("pk").first()
    name = authorship.delegate.name
    found = rows(curator_client.get(admin_url(Proposal), {"q": name}))
    authored = set(Proposal.objects.filter(authorships__delegate__name=name).values_list("pk", flat=True))
    assert authored and authored <= found
    for proposal in Proposal.objects.filter(pk__in=found - authored):
        haystack = " ".join([proposal.title, proposal.summary, proposal.text])
        haystack += " ".join(
            a.name for a in DelegateAlias.objects.filter(delegate__authorships__proposal=proposal)
        )
        haystack += " ".join(
            Article.objects.filter(quotes__proposal=proposal).values_list("title", flat=True)
        )
        assert name in haystack


def test_proposal_search_by_alias(curator_client):
    alias = DelegateAlias.objects.filter(delegate__authorships__isnull=False).exclude(name="").first()
    found = rows(curator_client.get(admin_url(Proposal), {"q": alias.name}))
    assert (
        set(Proposal.objects.filter(authorships__delegate=alias.delegate).values_list("pk", flat=True))
        <= found
    )


def test_proposal_search_by_title_returns_it(curator_client):
    proposal = Proposal.objects.order_by("pk").first()
    assert proposal.pk in rows(curator_client.get(admin_url(Proposal), {"q": proposal.title}))


def test_proposal_search_without_match_is_empty(curator_client):
    assert rows(curator_client.get(admin_url(Proposal), {"q": "没有这样的建言标题ZZZ"})) == set()


def _pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_proposal_filter_status(curator_client):
    proposal = Proposal.objects.order_by("pk").first()
    Proposal.objects.filter(pk=proposal.pk).update(status=ReviewStatus.DRAFT)
    assert rows(curator_client.get(admin_url(Proposal), {"status__exact": "draft"})) == {proposal.pk}
    published = rows(curator_client.get(admin_url(Proposal), {"status__exact": "published"}))
    assert proposal.pk not in published
    assert published == _pks(Proposal.objects.published())


def test_proposal_filter_kind(curator_client):
    kind = Proposal.objects.order_by("pk").first().kind
    assert rows(curator_client.get(admin_url(Proposal), {"kind__exact": kind})) == _pks(
        Proposal.objects.filter(kind=kind)
    )


@pytest.mark.parametrize("body", [Body.NPC, Body.CPPCC, Body.PROVINCIAL_CPPCC])
def test_proposal_filter_body(curator_client, body):
    expected = _pks(Proposal.objects.filter(authorships__membership__body=body))
    assert expected, f"the world has proposals made as {body.label}"
    assert rows(curator_client.get(admin_url(Proposal), {"body": body.value})) == expected


def test_proposal_filter_region(curator_client):
    membership = Membership.objects.filter(region__isnull=False, delegate__authorships__isnull=False).first()
    region = membership.region
    while region.parent_id:
        region = region.parent
    expected = _pks(
        Proposal.objects.filter(authorships__delegate__memberships__region__path__startswith=region.path)
    )
    assert rows(curator_client.get(admin_url(Proposal), {"region": region.slug})) == expected
    assert expected


def test_proposal_filter_theme(curator_client):
    theme = Theme.objects.filter(proposals__isnull=False).order_by("pk").first()
    assert rows(curator_client.get(admin_url(Proposal), {"theme": theme.slug})) == _pks(
        Proposal.objects.filter(themes=theme)
    )


def test_proposal_filter_article(curator_client):
    article = Article.objects.filter(quotes__isnull=False).order_by("pk").first()
    expected = _pks(Proposal.objects.filter(quotes__article=article))
    assert expected
    assert rows(curator_client.get(admin_url(Proposal), {"article": article.pk})) == expected


def test_proposal_filter_sourced(curator_client):
    bare = Proposal.objects.create(title="没有引文的建言", kind=ProposalKind.SUGGESTION, year=2024)
    assert rows(curator_client.get(admin_url(Proposal), {"sourced": "no"})) == {bare.pk}
    assert bare.pk not in rows(curator_client.get(admin_url(Proposal), {"sourced": "yes"}))


def test_proposal_filter_year(curator_client):
    year = Proposal.objects.order_by("pk").first().year
    assert rows(curator_client.get(admin_url(Proposal), {"year": year})) == _pks(
        Proposal.objects.filter(year=year)
    )


def test_proposal_filters_combine_with_search(curator_client):
    authorship = (
        Authorship.objects.filter(membership__isnull=False).select_related("delegate", "membership").first()
    )
    found = rows(
        curator_client.get(
            admin_url(Proposal), {"q": authorship.delegate.name, "body": authorship.membership.body}
        )
    )
    assert authorship.proposal_id in found


# --- delegate changelist: search and filters ----------------------------------------------------------


def test_delegate_search_by_name_and_alias(curator_client):
    alias = DelegateAlias.objects.select_related("delegate").order_by("pk").first()
    assert alias.delegate_id in rows(curator_client.get(admin_url(Delegate), {"q": alias.delegate.name}))
    assert alias.delegate_id in rows(curator_client.get(admin_url(Delegate), {"q": alias.name}))


def test_delegate_search_by_organisation(curator_client):
    delegate = Delegate.objects.filter(positions__isnull=False).order_by("pk").first()
    organisation = delegate.positions.first().organisation
    found = rows(curator_client.get(admin_url(Delegate), {"q": organisation.name}))
    assert found == _pks(Delegate.objects.filter(positions__organisation__name__contains=organisation.name))


@pytest.mark.parametrize("body", [Body.NPC, Body.CPPCC, Body.DISTRICT_CPPCC])
def test_delegate_filter_body(curator_client, body):
    expected = _pks(Delegate.objects.filter(memberships__body=body))
    assert expected
    assert rows(curator_client.get(admin_url(Delegate), {"body": body.value})) == expected


def test_delegate_filter_region(curator_client):
    region = (
        Region.objects.filter(level=RegionLevel.PROVINCE, memberships__isnull=False).order_by("pk").first()
    )
    expected = _pks(Delegate.objects.filter(memberships__region__path__startswith=region.path))
    assert expected
    assert rows(curator_client.get(admin_url(Delegate), {"region": region.slug})) == expected


def test_delegate_filter_theme(curator_client):
    theme = Theme.objects.filter(proposals__isnull=False).order_by("pk").first()
    expected = _pks(Delegate.objects.filter(authorships__proposal__themes=theme))
    assert rows(curator_client.get(admin_url(Delegate), {"theme": theme.slug})) == expected


def test_delegate_filter_status_and_merged(curator_client):
    keep, duplicate = Delegate.objects.order_by("pk")[:2]
    Delegate.objects.filter(pk=duplicate.pk).update(merged_into=keep, status=ReviewStatus.WITHDRAWN)
    assert rows(curator_client.get(admin_url(Delegate), {"merged": "yes"})) == {duplicate.pk}
    assert duplicate.pk not in rows(curator_client.get(admin_url(Delegate), {"merged": "no"}))
    assert rows(curator_client.get(admin_url(Delegate), {"status__exact": "withdrawn"})) == {duplicate.pk}


# --- actions -------------------------------------------------------------------------------------------


def _action(client, model, action: str, objects):
    return client.post(
        admin_url(model),
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [o.pk for o in objects]},
        follow=True,
    )


def test_proposal_unpublish_and_publish_actions(curator_client):
    chosen = list(Proposal.objects.published().order_by("pk")[:2])
    response = _action(curator_client, Proposal, "unpublish", chosen)
    assert "已撤销发布 2 条建言" in " ".join(messages_of(response))
    published = Proposal.objects.published()
    assert not published.filter(pk__in=[p.pk for p in chosen]).exists()
    assert all(
        p.status == ReviewStatus.IN_REVIEW for p in Proposal.objects.filter(pk__in=[p.pk for p in chosen])
    )

    response = _action(curator_client, Proposal, "publish", chosen)
    assert "已发布 2 条建言" in " ".join(messages_of(response))
    assert Proposal.objects.published().filter(pk__in=[p.pk for p in chosen]).count() == 2


def test_delegate_unpublish_and_publish_actions(curator_client):
    chosen = list(Delegate.objects.published().order_by("pk")[:3])
    response = _action(curator_client, Delegate, "unpublish", chosen)
    assert "已撤销发布 3 位代表委员" in " ".join(messages_of(response))
    assert not Delegate.objects.published().filter(pk__in=[d.pk for d in chosen]).exists()
    response = _action(curator_client, Delegate, "publish", chosen)
    assert "已发布 3 位代表委员" in " ".join(messages_of(response))
    assert Delegate.objects.published().filter(pk__in=[d.pk for d in chosen]).count() == 3


def test_merge_action_keeps_the_chosen_record(curator_client):
    # The merge asks first (tests/test_curation_merge.py); confirmed with the older record as survivor.
    older, newer = Delegate.objects.filter(authorships__isnull=False).order_by("pk").distinct()[:2]
    newer_proposals = _pks(Proposal.objects.filter(authorships__delegate=newer))
    response = curator_client.post(
        admin_url(Delegate),
        {
            "action": "merge",
            admin.helpers.ACTION_CHECKBOX_NAME: [newer.pk, older.pk],
            "confirm": "yes",
            "survivor": older.pk,
        },
        follow=True,
    )
    assert f"（#{newer.pk}）合并到“{older.name}”（#{older.pk}）" in " ".join(messages_of(response))
    newer.refresh_from_db()
    assert newer.merged_into_id == older.pk
    assert newer.status == ReviewStatus.WITHDRAWN
    assert newer_proposals <= _pks(Proposal.objects.filter(authorships__delegate=older))
    assert Delegate.objects.published().filter(pk__in=[older.pk, newer.pk]).count() == 1


def test_merge_action_needs_at_least_two(curator_client):
    chosen = list(Delegate.objects.order_by("pk")[:1])
    response = _action(curator_client, Delegate, "merge", chosen)
    assert "合并需要至少选择两条记录，当前选择了 1 条。" in messages_of(response)
    assert not Delegate.objects.filter(merged_into__isnull=False).exists()


def test_merge_action_refuses_an_already_merged_record(curator_client):
    a, b, c = Delegate.objects.order_by("pk")[:3]
    Delegate.objects.filter(pk=c.pk).update(merged_into=a)
    response = _action(curator_client, Delegate, "merge", [b, c])
    assert any("已被合并" in m for m in messages_of(response))
    b.refresh_from_db()
    assert b.merged_into_id is None


# --- no N+1 on changelists -----------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_proposals(n: int) -> None:
    delegates = list(Delegate.objects.order_by("pk")[:n])
    themes = list(Theme.objects.order_by("pk")[:2])
    article = Article.objects.order_by("pk").first()
    for i, delegate in enumerate(delegates):
        proposal = Proposal.objects.create(
            title=f"额外建言{i}", kind=ProposalKind.PROPOSAL, year=2024, status=ReviewStatus.PUBLISHED
        )
        proposal.themes.set(themes)
        Authorship.objects.create(
            proposal=proposal, delegate=delegate, membership=delegate.memberships.first()
        )
        quote = Quote.objects.create(proposal=proposal, article=article)
        QuotePassage.objects.create(quote=quote, order=1, start=0, end=5, text=article.text[:5])


def _add_delegates(n: int) -> None:
    region = Region.objects.filter(level=RegionLevel.DISTRICT).first() or Region.objects.first()
    for i in range(n):
        delegate = Delegate.objects.create(name=f"额外{i}", status=ReviewStatus.PUBLISHED)
        Membership.objects.create(delegate=delegate, body=Body.DISTRICT_CPPCC, region=region)
        Membership.objects.create(delegate=delegate, body=Body.NPC, region=region)
        DelegateAlias.objects.create(delegate=delegate, name=f"额外之{i}")


@pytest.mark.parametrize(
    ("model", "add"), [(Proposal, _add_proposals), (Delegate, _add_delegates)], ids=["proposal", "delegate"]
)
def test_changelist_queries_do_not_grow_with_rows(curator_client, django_assert_max_num_queries, model, add):
    url = admin_url(model)
    baseline = _count_queries(curator_client, url)
    add(10)
    with django_assert_max_num_queries(baseline):
        response = curator_client.get(url)
    assert response.context["cl"].result_count >= 10


@pytest.mark.parametrize("model", PROPOSAL_MODELS, ids=lambda m: m._meta.label)
def test_changelist_queries_do_not_grow_with_page_size(curator_client, model, monkeypatch):
    """A page of one row and a page of every row cost the same number of queries."""
    model_admin = admin.site._registry[model]
    url = admin_url(model)
    monkeypatch.setattr(model_admin, "list_per_page", 1)
    one = _count_queries(curator_client, url)
    monkeypatch.setattr(model_admin, "list_per_page", 1000)
    everything = _count_queries(curator_client, url)
    assert everything <= one, f"{model.__name__}: {one} queries for one row, {everything} for a full page"


# --- validation through the admin ----------------------------------------------------------------------

NOT_IN_ARTICLE = "这句话从来没有出现在任何文章里"


def test_passage_not_in_article_is_refused_by_the_add_form(curator_client):
    quote = Quote.objects.select_related("article").order_by("pk").first()
    before = QuotePassage.objects.count()
    response = curator_client.post(
        admin_url(QuotePassage, "add"),
        {"quote": quote.pk, "order": 99, "text": NOT_IN_ARTICLE, "start": "", "end": ""},
    )
    assert response.status_code == 200
    assert f"不是文章《{quote.article.title}》原文的一部分：请逐字复制原文。" in response.content.decode()
    assert QuotePassage.objects.count() == before


def test_passage_with_blank_offsets_is_located_on_save(curator_client):
    quote = Quote.objects.select_related("article").order_by("pk").first()
    text = quote.article.text
    start = text.index("。") + 1
    snippet = text[start : start + 12]
    response = curator_client.post(
        admin_url(QuotePassage, "add"),
        {"quote": quote.pk, "order": 99, "text": snippet, "start": "", "end": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    passage = QuotePassage.objects.get(quote=quote, order=99)
    assert text[passage.start : passage.end] == snippet


def _quote_add_data(article, passage_text: str) -> dict:
    proposal = Proposal.objects.exclude(quotes__article=article).order_by("pk").first()
    return {
        "proposal": proposal.pk,
        "article": article.pk,
        "passages-TOTAL_FORMS": 1,
        "passages-INITIAL_FORMS": 0,
        "passages-MIN_NUM_FORMS": 0,
        "passages-MAX_NUM_FORMS": 1000,
        "passages-0-order": 1,
        "passages-0-text": passage_text,
        "passages-0-start": "",
        "passages-0-end": "",
    }


def test_new_quote_with_passage_not_in_article_is_refused(curator_client):
    article = Article.objects.order_by("pk").first()
    quotes, passages = Quote.objects.count(), QuotePassage.objects.count()
    response = curator_client.post(admin_url(Quote, "add"), _quote_add_data(article, NOT_IN_ARTICLE))
    assert response.status_code == 200
    assert f"不是文章《{article.title}》原文的一部分" in response.content.decode()
    assert (Quote.objects.count(), QuotePassage.objects.count()) == (quotes, passages)


def test_new_quote_with_verbatim_passage_is_saved_with_offsets(curator_client):
    article = Article.objects.order_by("pk").first()
    snippet = article.text[100:120]
    response = curator_client.post(admin_url(Quote, "add"), _quote_add_data(article, snippet))
    assert response.status_code == 302
    passage = QuotePassage.objects.get(text=snippet, quote__article=article)
    assert article.text[passage.start : passage.end] == snippet


def test_membership_evidence_not_in_article_is_refused_by_the_add_form(curator_client):
    delegate = Delegate.objects.order_by("pk").first()
    article = Article.objects.order_by("pk").first()
    before = Membership.objects.count()
    response = curator_client.post(
        admin_url(Membership, "add"),
        {
            "delegate": delegate.pk,
            "body": Body.MUNICIPAL_CONGRESS,
            "role": "member",
            "article": article.pk,
            "evidence": NOT_IN_ARTICLE,
        },
    )
    assert response.status_code == 200
    assert (
        f"引文“{NOT_IN_ARTICLE}”不是文章《{article.title}》原文的一部分：请逐字复制原文。"
        in response.content.decode()
    )
    assert Membership.objects.count() == before


def _proposal_change_data(proposal, client) -> dict:
    """The proposal change form as the browser would post it, unchanged."""
    return change_form_data(client, admin_url(Proposal, "change", proposal.pk))


def test_proposal_change_form_saves_unchanged(curator_client):
    proposal = Proposal.objects.order_by("pk").first()
    response = curator_client.post(
        admin_url(Proposal, "change", proposal.pk), _proposal_change_data(proposal, curator_client)
    )
    assert response.status_code == 302


def test_two_new_lead_authors_are_refused_by_the_proposal_form(curator_client):
    proposal = Proposal.objects.order_by("pk").first()
    data = _proposal_change_data(proposal, curator_client)
    Authorship.objects.filter(proposal=proposal).delete()
    data |= {"authorships-TOTAL_FORMS": 2, "authorships-INITIAL_FORMS": 0}
    data = {
        k: v
        for k, v in data.items()
        if not k.startswith("authorships-0") and not k.startswith("authorships-1")
    }
    for i, delegate in enumerate(Delegate.objects.order_by("pk")[:2]):
        data |= {
            f"authorships-{i}-delegate": delegate.pk,
            f"authorships-{i}-role": "lead",
            f"authorships-{i}-order": i,
        }
    response = curator_client.post(admin_url(Proposal, "change", proposal.pk), data)
    assert response.status_code == 200
    assert "一条建言只能有一位领衔人。" in response.content.decode()
    assert not Authorship.objects.filter(proposal=proposal).exists()


def test_quote_pasted_under_a_proposal_must_be_verbatim(curator_client):
    proposal = Proposal.objects.order_by("pk").first()
    article = Article.objects.exclude(quotes__proposal=proposal).order_by("pk").first()
    data = _proposal_change_data(proposal, curator_client)
    n = data["quotes-TOTAL_FORMS"]
    data |= {
        "quotes-TOTAL_FORMS": n + 1,
        f"quotes-{n}-article": article.pk,
        f"quotes-{n}-passage": NOT_IN_ARTICLE,
    }
    response = curator_client.post(admin_url(Proposal, "change", proposal.pk), data)
    assert response.status_code == 200
    assert f"不是文章《{article.title}》原文的一部分" in response.content.decode()
    assert not Quote.objects.filter(proposal=proposal, article=article).exists()

    snippet = article.text[50:70]
    data[f"quotes-{n}-passage"] = snippet
    response = curator_client.post(admin_url(Proposal, "change", proposal.pk), data)
    assert response.status_code == 302
    passage = QuotePassage.objects.get(quote__proposal=proposal, quote__article=article)
    assert (passage.text, passage.start, passage.end) == (snippet, 50, 70)


# --- provenance ------------------------------------------------------------------------------------------


def test_proposal_change_page_shows_the_passages_marked_in_their_paragraph(curator_client):
    passage = QuotePassage.objects.select_related("quote__article", "quote__proposal").order_by("pk").first()
    response = curator_client.get(admin_url(Proposal, "change", passage.quote.proposal_id))
    html = response.content.decode()
    assert f"<mark>{escape(passage.text)}</mark>" in html
    article = passage.quote.article
    # Some of the paragraph around the passage is shown too, and the article is named and linked.
    begin = article.text.rfind("\n", 0, passage.start) + 1
    before = article.text[begin : passage.start][-20:]
    assert escape(before) + "<mark>" in html or before == ""
    assert escape(article.title) in html
    assert admin_url(Article, "change", article.pk) in html


def test_provenance_escapes_article_html(curator_client):
    article = Article.objects.create(
        title="<b>测试</b>",
        file_name="xss.txt",
        text="第一段。\n有人说<script>alert(1)</script>这句话。\n第三段。",
    )
    proposal = Proposal.objects.create(title="转义测试", kind=ProposalKind.VIEW, year=2024)
    quote = Quote.objects.create(proposal=proposal, article=article)
    passage = QuotePassage(quote=quote, order=1, text="<script>alert(1)</script>")
    passage.full_clean()
    passage.save()
    html = curator_client.get(admin_url(Proposal, "change", proposal.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "有人说<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>这句话。" in html
    assert "&lt;b&gt;测试&lt;/b&gt;" in html


def test_passages_left_without_order_are_numbered_after_the_others(curator_client):
    quote = Quote.objects.select_related("article").order_by("pk").first()
    existing = list(quote.passages.order_by("order"))
    text = quote.article.text
    data = change_form_data(curator_client, admin_url(Quote, "change", quote.pk))
    data["passages-TOTAL_FORMS"] = len(existing) + 2
    snippets = [text[300:310], text[400:410]]
    for j, snippet in enumerate(snippets, start=len(existing)):
        data |= {
            f"passages-{j}-order": "",
            f"passages-{j}-text": snippet,
            f"passages-{j}-start": "",
            f"passages-{j}-end": "",
        }
    response = curator_client.post(admin_url(Quote, "change", quote.pk), data)
    assert response.status_code == 302, (
        response.context and response.context["inline_admin_formsets"][0].formset.errors
    )
    last = max(p.order for p in existing)
    assert list(quote.passages.order_by("order").values_list("text", "order"))[-2:] == [
        (snippets[0], last + 1),
        (snippets[1], last + 2),
    ]
