"""Ingest and review in the admin, through the test client (invented test articles only)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.models import Article, Delegate, Proposal, ReviewStatus

pytest_plugins = ["tests.curation_users"]

INVENTED = (
    "测试材料（虚构）：两会代表委员谈创新\n\n"
    "全国人大代表、星河智造有限公司董事长王晓明表示，要加快建设智能工厂。\n\n"
    "全国政协委员、青禾大学副校长陈立新建议，加强基础研究。\n\n"
    "“算力是基础。”在青禾大学教授赵一鸣看来，要加快建设。\n\n"
    "本报记者 林小雨\n"
)


def _ingest(client, **extra):
    data = {
        "text": INVENTED,
        "title": "",
        "outlet": "测试报",
        "published_on": "2024-03-06",
        "url": "",
        **extra,
    }
    return client.post(reverse("admin:proposals_article_ingest"), data)


@pytest.mark.django_db
def test_changelist_links_to_ingest_and_form_renders(curator_client, corpus):
    page = curator_client.get(reverse("admin:proposals_article_changelist"))
    assert reverse("admin:proposals_article_ingest") in page.content.decode()
    form = curator_client.get(reverse("admin:proposals_article_ingest"))
    assert form.status_code == 200 and 'name="text"' in form.content.decode()


@pytest.mark.django_db
def test_paste_ingests_and_review_page_highlights_every_span(curator_client, corpus):
    response = _ingest(curator_client)
    article = Article.objects.get(title="测试材料（虚构）：两会代表委员谈创新")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:proposals_article_review", args=[article.pk])
    page = curator_client.get(response["Location"])
    html = page.content.decode()
    wang = Delegate.objects.get(name="王晓明")
    proposal = wang.proposals.get()
    assert f'id="delegate-{wang.pk}"' in html and f'id="proposal-{proposal.pk}"' in html
    assert re.search(rf'<a href="#proposal-{proposal.pk}" class="ingest-span ingest-quote"', html)
    assert re.search(rf'<a href="#delegate-{wang.pk}" class="ingest-span ingest-name"[^>]*>王晓明</a>', html)
    assert "赵一鸣：专家" in html and "林小雨：记者" in html
    assert 'accesskey="a"' in html
    assert reverse("admin:proposals_proposal_change", args=[proposal.pk]) in html


@pytest.mark.django_db
def test_upload_and_bad_upload(curator_client, corpus):
    upload = SimpleUploadedFile("a.txt", INVENTED.encode("gb18030"))
    response = curator_client.post(
        reverse("admin:proposals_article_ingest"), {"file": upload, "title": "上传"}
    )
    assert response.status_code == 302
    assert Article.objects.filter(title="上传").exists()
    html_file = SimpleUploadedFile("b.html", "<html><body>全国人大代表</body></html>".encode())
    articles = Article.objects.count()
    response = curator_client.post(reverse("admin:proposals_article_ingest"), {"file": html_file})
    assert response.status_code == 200 and "HTML" in response.content.decode()
    assert Article.objects.count() == articles


@pytest.mark.django_db
def test_ingesting_twice_says_so_and_creates_nothing(curator_client, corpus):
    _ingest(curator_client)
    delegates = Delegate.objects.count()
    response = _ingest(curator_client)
    assert Delegate.objects.count() == delegates
    page = curator_client.get(response["Location"])
    assert "已经导入过" in page.content.decode()


@pytest.mark.django_db
def test_confirm_one_reject_one_and_confirm_all(curator_client, corpus):
    _ingest(curator_client)
    article = Article.objects.get(title="测试材料（虚构）：两会代表委员谈创新")
    url = reverse("admin:proposals_article_review", args=[article.pk])
    wang, chen = Delegate.objects.get(name="王晓明"), Delegate.objects.get(name="陈立新")
    chen_proposal = chen.proposals.get()
    curator_client.post(url, {"action": "confirm", "record": f"delegate:{wang.pk}"})
    wang.refresh_from_db()
    assert wang.status == ReviewStatus.PUBLISHED
    curator_client.post(url, {"action": "reject", "record": f"delegate:{chen.pk}"})
    assert not Delegate.objects.filter(pk=chen.pk).exists()
    assert not Proposal.objects.filter(pk=chen_proposal.pk).exists()
    curator_client.post(url, {"action": "confirm_all"})
    assert wang.proposals.get().status == ReviewStatus.PUBLISHED


@pytest.mark.django_db
def test_promote_a_skipped_person(curator_client, corpus):
    _ingest(curator_client)
    article = Article.objects.get(title="测试材料（虚构）：两会代表委员谈创新")
    url = reverse("admin:proposals_article_review", args=[article.pk])
    curator_client.post(url, {"action": "promote", "name": "赵一鸣", "reason": "专家"})
    promoted = Delegate.objects.get(name="赵一鸣")
    assert promoted.status == ReviewStatus.DRAFT and "专家" in promoted.note


@pytest.mark.django_db
@pytest.mark.corpus
def test_review_page_of_a_curated_article(curator_client, corpus):
    """End to end on a real curated article: the extractor's drafts shown against the curated records."""
    article = Article.objects.get(file_name="004_e64aa66ecdef517c.txt")
    page = curator_client.get(reverse("admin:proposals_article_review", args=[article.pk]))
    assert page.status_code == 200
    assert page.content.decode().count('class="draft"') >= 20


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, corpus):
    response = client.get(reverse("admin:proposals_article_ingest"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_doubtful_match_is_flagged_on_the_review_page(curator_client, corpus):
    text = "测试材料\n\n全国政协委员、远山农业科技公司总经理马新强建议，发展智慧农业。\n"
    response = curator_client.post(reverse("admin:proposals_article_ingest"), {"text": text, "title": "同名"})
    page = curator_client.get(response["Location"])
    assert "可能与已有同名人物重复" in page.content.decode()
    assert Delegate.objects.filter(name="马新强").count() == 2


@pytest.mark.django_db
def test_a_curator_confirms_to_review_and_cannot_reject(alice_client, corpus):
    """A curator may not publish: confirming sends the drafts to review; rejecting (a delete) is refused
    with a message on the page, and nothing is removed."""
    _ingest(alice_client)
    article = Article.objects.get(title="测试材料（虚构）：两会代表委员谈创新")
    url = reverse("admin:proposals_article_review", args=[article.pk])
    wang, chen = Delegate.objects.get(name="王晓明"), Delegate.objects.get(name="陈立新")
    response = alice_client.post(url, {"action": "confirm", "record": f"delegate:{wang.pk}"}, follow=True)
    assert response.status_code == 200 and "待审核" in response.content.decode()
    wang.refresh_from_db()
    assert wang.status == ReviewStatus.IN_REVIEW
    response = alice_client.post(url, {"action": "reject", "record": f"delegate:{chen.pk}"}, follow=True)
    assert response.status_code == 200 and "不能驳回" in response.content.decode()
    assert Delegate.objects.filter(pk=chen.pk).exists()
    alice_client.post(url, {"action": "confirm_all"})
    assert not Proposal.objects.filter(quotes__article=article, status=ReviewStatus.PUBLISHED).exists()
    assert Proposal.objects.filter(quotes__article=article, status=ReviewStatus.IN_REVIEW).exists()
