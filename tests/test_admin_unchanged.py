"""Saving an admin change form without changing anything saves nothing (issue 10, integrity follow-up).

No version or updated_at bump, no history row, no admin log entry, nothing for sync; a browser's CRLF in a
textarea is not a change; a stale form is still refused. Forms are posted as a browser posts them
(tests.admin_forms).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from proposals.models import Article, Delegate, Proposal, Quote, QuotePassage
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def admin_url(model, action: str = "changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def state(obj) -> tuple:
    """What an empty save would change: the version, updated_at, the history rows and the admin log."""
    fresh = type(obj)._base_manager.get(pk=obj.pk)
    return fresh.version, fresh.updated_at, obj.history.count(), LogEntry.objects.count()


def page(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def with_newline(obj, field: str) -> None:
    """Give the record a multi-line text, saved the way the model stores it (\\n line endings)."""
    setattr(obj, field, f"{getattr(obj, field) or '第一行'}\n第二行")
    obj.full_clean()
    obj.save()


def crlf(data: dict, name: str) -> dict:
    """What a browser posts for a textarea: CRLF line endings."""
    return data | {name: data[name].replace("\r\n", "\n").replace("\n", "\r\n")}


def records(corpus):
    """A proposal with authorships, quotes and a multi-line summary; a delegate with inlines and a
    multi-line note; an article with quotes (its text has many lines)."""
    proposal = Proposal.objects.filter(quotes__isnull=False, authorships__isnull=False).order_by("pk").first()
    with_newline(proposal, "summary")
    delegate = Delegate.objects.filter(memberships__isnull=False).order_by("pk").first()
    with_newline(delegate, "note")
    article = Article.objects.filter(quotes__isnull=False).order_by("pk").first()
    assert "\n" in article.text
    return {"summary": proposal, "note": delegate, "text": article}


@pytest.mark.parametrize("field", ["summary", "note", "text"])
def test_an_unchanged_change_form_saves_nothing(curator_client, corpus, field):
    obj = records(corpus)[field]
    url = admin_url(type(obj), "change", obj.pk)
    before = state(obj)
    data = crlf(change_form_data(curator_client, url), field)
    response = curator_client.post(url, data)
    assert response.status_code == 302, page(response)
    assert state(obj) == before


@pytest.mark.parametrize("field", ["summary", "note", "text"])
def test_a_changed_field_is_still_saved(curator_client, corpus, field):
    obj = records(corpus)[field]
    url = admin_url(type(obj), "change", obj.pk)
    version, updated_at, history, log = state(obj)
    data = change_form_data(curator_client, url)
    data["title" if field != "note" else "name"] += "（改）"
    response = curator_client.post(url, crlf(data, field))
    assert response.status_code == 302, page(response)
    new_version, new_updated_at, new_history, new_log = state(obj)
    assert (new_version, new_history, new_log) == (version + 1, history + 1, log + 1)
    assert new_updated_at > updated_at
    assert getattr(type(obj)._base_manager.get(pk=obj.pk), field) == getattr(obj, field)  # still \n


def test_an_inline_change_alone_saves_the_parent(curator_client, corpus):
    """Only a passage changes on the quote page: the passage and the quote are saved (the quote's version
    is what tells the proposal page its inline changed)."""
    passage = QuotePassage.objects.order_by("pk").first()
    quote = passage.quote
    url = admin_url(Quote, "change", quote.pk)
    version = quote.version
    data = change_form_data(curator_client, url)
    prefix = next(k for k, v in data.items() if k.endswith("-id") and str(v) == str(passage.pk))[
        : -len("-id")
    ]
    data[f"{prefix}-order"] = int(data[f"{prefix}-order"]) + 10
    assert curator_client.post(url, data).status_code == 302
    passage.refresh_from_db()
    quote.refresh_from_db()
    assert passage.order == int(data[f"{prefix}-order"])
    assert quote.version == version + 1


def test_two_tabs_the_stale_one_is_refused_even_unchanged(curator_client, corpus):
    obj = records(corpus)["summary"]
    url = admin_url(Proposal, "change", obj.pk)
    tab_a = change_form_data(curator_client, url)
    tab_b = change_form_data(curator_client, url)
    tab_a["summary"] = "甲的改动"
    assert curator_client.post(url, tab_a).status_code == 302
    after_a = state(obj)
    response = curator_client.post(url, crlf(tab_b, "summary"))  # unchanged, but opened before A saved
    assert response.status_code == 200 and "保存被拒绝" in page(response)
    tab_b["summary"] = "乙的改动"
    response = curator_client.post(url, tab_b)
    assert response.status_code == 200 and "保存被拒绝" in page(response)
    obj.refresh_from_db()
    assert obj.summary == "甲的改动"
    assert state(obj) == after_a


def test_an_unchanged_save_after_a_reload_is_accepted_and_silent(curator_client, corpus):
    obj = records(corpus)["note"]
    url = admin_url(Delegate, "change", obj.pk)
    first = change_form_data(curator_client, url)
    first["name"] += "（改）"
    assert curator_client.post(url, first).status_code == 302
    before = state(obj)
    assert curator_client.post(url, change_form_data(curator_client, url)).status_code == 302
    assert state(obj) == before
