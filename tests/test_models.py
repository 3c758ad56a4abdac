"""Database constraints refuse duplicates and impossible values, and full_clean() says why in Chinese.

Small named records (tests/factories.py), no corpus."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from proposals.models import (
    AuthorRole,
    Authorship,
    Body,
    Delegate,
    DelegateAlias,
    Membership,
    Proposal,
    Quote,
    QuotePassage,
    Region,
    RegionLevel,
    Theme,
)
from tests.factories import (
    ArticleFactory,
    DelegateFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    RegionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.usefixtures("blank_db")

NOT_IN_ARTICLE = "这句话从来没有出现在任何文章里"


def assert_refused(obj) -> None:
    """Saving obj breaks a database constraint (and leaves the transaction usable)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def assert_message(obj, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    assert message in excinfo.value.messages, excinfo.value.messages


ARTICLE_TEXT = "记者报道。\n全国两会期间，代表委员围绕发展新质生产力提出建议，希望加快人工智能产业的发展。\n会议继续进行。"


@pytest.fixture
def delegate() -> Delegate:
    """雷军, an NPC deputy for 湖北."""
    lei = DelegateFactory(name="雷军")
    MembershipFactory(delegate=lei, body=Body.NPC, region=RegionFactory(name="湖北", slug="hubei"))
    return lei


@pytest.fixture
def quote() -> Quote:
    """A quote from an article with more words than it quotes."""
    proposal = ProposalFactory(
        quote="希望加快人工智能产业的发展。", quote__article=ArticleFactory(text=ARTICLE_TEXT)
    )
    return proposal.quotes.select_related("article").get()


def test_duplicate_alias(delegate):
    existing = DelegateAlias.objects.create(delegate=delegate, name=f"{delegate.name}甲")
    alias = DelegateAlias(delegate=delegate, name=existing.name)
    assert_message(alias, "该人物已有这个别名。")
    assert_refused(alias)


def test_duplicate_membership_with_region(delegate):
    existing = delegate.memberships.get()
    duplicate = Membership(delegate=delegate, body=existing.body, region=existing.region)
    assert_message(duplicate, "该人物在这一机构、地区已有身份。")
    assert_refused(duplicate)


def test_same_body_in_another_region_is_allowed(delegate):
    existing = delegate.memberships.get()
    other = RegionFactory(name="重庆", slug="chongqing")
    membership = Membership(delegate=delegate, body=existing.body, region=other)
    membership.full_clean()
    membership.save()


def test_duplicate_membership_without_region():
    existing = MembershipFactory(body=Body.CPPCC, region=None)
    duplicate = Membership(delegate=existing.delegate, body=existing.body)
    assert_message(duplicate, "该人物已有这一身份。")
    assert_refused(duplicate)


def test_two_lead_authors():
    proposal = ProposalFactory(authors=[DelegateFactory()])
    other = DelegateFactory()
    second = Authorship(proposal=proposal, delegate=other, role=AuthorRole.LEAD)
    assert_message(second, "一条建言只能有一位领衔人。")
    assert_refused(second)
    cosigner = Authorship(proposal=proposal, delegate=other, role=AuthorRole.COSIGNER)
    cosigner.full_clean()
    cosigner.save()


def test_same_author_twice(delegate):
    lead = ProposalFactory(authors=[delegate]).authorships.get()
    twice = Authorship(proposal=lead.proposal, delegate=lead.delegate, role=AuthorRole.COSIGNER)
    assert_message(twice, "该人物已在这条建言中署名。")
    assert_refused(twice)


def test_duplicate_quote_per_article(quote):
    duplicate = Quote(proposal=quote.proposal, article=quote.article)
    assert_message(duplicate, "这条建言已有出自这篇文章的引文：请在原引文中添加段落。")
    assert_refused(duplicate)


@pytest.mark.parametrize(("start", "end"), [(10, 10), (10, 5)])
def test_passage_end_must_follow_start(quote, start, end):
    passage = QuotePassage(quote=quote, order=99, start=start, end=end, text="x")
    with pytest.raises(ValidationError):  # save() refuses a passage that is not at its offsets
        passage.save()
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database refuses the offsets
        QuotePassage.objects.bulk_create([passage])
    passage.text = quote.article.text[start:end] or "x"
    with pytest.raises(ValidationError) as excinfo:
        passage.full_clean()
    assert "结束位置必须大于起始位置。" in excinfo.value.messages or excinfo.value.message_dict.get("start")


def test_duplicate_region_slug():
    region = RegionFactory(slug="hubei")
    duplicate = Region(name="另一个地区", slug=region.slug, level=RegionLevel.PROVINCE)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "slug" in excinfo.value.message_dict
    assert_refused(duplicate)


def test_duplicate_theme_slug():
    theme = ThemeFactory(slug="ai")
    duplicate = Theme(name="另一个主题", slug=theme.slug)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "slug" in excinfo.value.message_dict
    assert_refused(duplicate)


def test_region_name_unique_within_parent():
    child = RegionFactory(name="武汉", slug="wuhan", parent=RegionFactory(name="湖北", slug="hubei"))
    duplicate = Region(name=child.name, slug="another-slug", level=child.level, parent=child.parent)
    assert_message(duplicate, "同一上级地区下已有同名地区。")
    assert_refused(duplicate)


def test_delegate_cannot_be_merged_into_itself(delegate):
    delegate.merged_into = delegate
    assert_message(delegate, "人物不能合并到自己。")
    assert_refused(delegate)


def test_proposal_year_range():
    proposal = Proposal(title="年份错误", kind="suggestion", year=1900)
    assert_message(proposal, "年份应在 1949–2100 之间。")
    assert_refused(proposal)


# --- verbatim quotes ------------------------------------------------------------------------------------


def test_passage_not_in_article(quote):
    passage = QuotePassage(quote=quote, order=99, text=NOT_IN_ARTICLE)
    assert_message(
        passage, f"引文“{NOT_IN_ARTICLE}”不是文章《{quote.article.title}》原文的一部分：请逐字复制原文。"
    )


def test_passage_offsets_are_found_when_blank(quote):
    text = "代表委员围绕发展新质生产力提出建议"
    passage = QuotePassage(quote=quote, order=99, text=text)
    passage.full_clean()
    assert quote.article.text[passage.start : passage.end] == text
    assert passage.start == ARTICLE_TEXT.index(text)


def test_passage_with_wrong_offsets_asks_to_clear_them(quote):
    text = "代表委员围绕发展新质生产力提出建议"
    passage = QuotePassage(quote=quote, order=99, text=text, start=0, end=len(text))
    with pytest.raises(ValidationError) as excinfo:
        passage.full_clean()
    assert "请清空位置" in excinfo.value.message_dict["start"][0]


@pytest.mark.parametrize("model", ["membership", "position"])
def test_evidence_not_in_article(delegate, model):
    article = ArticleFactory(text=ARTICLE_TEXT)
    if model == "membership":
        obj = Membership(
            delegate=delegate, body=Body.MUNICIPAL_CONGRESS, article=article, evidence=NOT_IN_ARTICLE
        )
    else:
        from proposals.models import Position

        obj = Position(delegate=delegate, organisation=OrganisationFactory(), title="测试", article=article)
        obj.evidence = NOT_IN_ARTICLE
    assert_message(obj, f"引文“{NOT_IN_ARTICLE}”不是文章《{article.title}》原文的一部分：请逐字复制原文。")


def test_evidence_needs_its_article(delegate):
    membership = Membership(delegate=delegate, body=Body.MUNICIPAL_CONGRESS, evidence="某句话")
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert excinfo.value.message_dict["article"] == ["填写了依据原文，请同时选择依据文章。"]


def test_authorship_membership_must_be_the_delegates(delegate):
    authorship = ProposalFactory(authors=[delegate.memberships.get()]).authorships.get()
    authorship.membership = MembershipFactory(body=Body.CPPCC)  # another delegate's
    with pytest.raises(ValidationError) as excinfo:
        authorship.full_clean()
    assert excinfo.value.message_dict["membership"] == ["所选身份不属于这位代表委员。"]


def test_membership_labels():
    hubei = RegionFactory(name="湖北", slug="hubei")
    wuhan = RegionFactory(name="武汉", slug="wuhan", parent=hubei)
    chongqing = RegionFactory(name="重庆", slug="chongqing")
    labels = {
        MembershipFactory(body=Body.CPPCC).label,
        MembershipFactory(body=Body.NPC, region=chongqing).label,
        MembershipFactory(body=Body.PROVINCIAL_CPPCC, region=hubei).label,
        MembershipFactory(body=Body.MUNICIPAL_CONGRESS, region=wuhan).label,
    }
    assert labels == {"全国政协委员", "全国人大代表（重庆代表团）", "湖北政协委员", "武汉人大代表"}
