"""manage.py ingest_article and the article_ingest service, on the loaded corpus and small invented texts.

Invented test articles name invented people (王晓明, 陈立新…) and organisations; they are test material only.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from proposals.ingest.service import article_ingest
from proposals.models import Article, Delegate, Membership, Proposal, Quote, QuotePassage, ReviewStatus

ROOT = Path(__file__).resolve().parent.parent
INVENTED = (
    "测试材料（虚构）：两会代表委员谈创新\n\n"
    "全国人大代表、星河智造有限公司董事长王晓明表示，要加快建设智能工厂，推动智能制造和数字化转型。\n\n"
    "一是建议设立工业软件专项。\n\n"
    "全国政协委员、青禾大学副校长陈立新建议，加强基础研究，鼓励企业建设实验室。\n\n"
    "本报记者 林小雨\n"
)


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("ingest_article", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_dry_run_json_has_the_issue_shape_and_writes_nothing(corpus):
    articles = Article.objects.count()
    out, _ = _run(
        ROOT / "fixtures/articles/001_3ba7f582877c7687.txt", "--dry-run", "--json", "--outlet", "极目新闻"
    )
    data = json.loads(out)
    assert set(data) >= {"article", "delegates", "skipped_people", "warnings"}
    assert set(data["article"]) >= {"title", "outlet", "date"}
    assert data["article"]["outlet"] == "极目新闻"
    ma = next(d for d in data["delegates"] if d["name"] == "马新强")
    assert ma["existing_id"] == Delegate.objects.get(name="马新强").pk
    assert set(ma["memberships"][0]) >= {"body", "region", "role", "sector"}
    assert ma["memberships"][0]["body"] == "npc"
    assert set(ma["positions"][0]) >= {"organisation", "title"}
    proposal = ma["proposals"][0]
    assert set(proposal) >= {"kind", "title", "summary", "passages", "themes"}
    text = Article.objects.get(file_name="001_3ba7f582877c7687.txt").text
    for delegate in data["delegates"]:
        for item in delegate["proposals"]:
            for passage in item["passages"]:
                assert text[passage["start"] : passage["end"]] == passage["text"]
    assert all(set(p) >= {"name", "reason"} for p in data["skipped_people"])
    assert Article.objects.count() == articles


@pytest.mark.django_db
def test_ingest_creates_drafts_with_verbatim_quotes_and_is_idempotent(corpus, tmp_path):
    path = _write(tmp_path, "invented.txt", INVENTED)
    delegates, proposals = Delegate.objects.count(), Proposal.objects.count()
    out, _ = _run(path, "--outlet", "测试报", "--date", "2024-03-06", "--url", "https://example.org/a")
    article = Article.objects.get(url="https://example.org/a")
    assert article.published_on.isoformat() == "2024-03-06" and article.outlet == "测试报"
    wang = Delegate.objects.get(name="王晓明")
    assert wang.status == ReviewStatus.DRAFT
    assert list(wang.memberships.values_list("body", flat=True)) == ["npc"]
    assert wang.positions.get().organisation.name == "星河智造有限公司"
    proposal = wang.proposals.get()
    assert proposal.status == ReviewStatus.DRAFT and proposal.year == 2024
    passages = QuotePassage.objects.filter(quote__proposal=proposal).order_by("order")
    assert len(passages) == 2
    for passage in passages:
        assert article.text[passage.start : passage.end] == passage.text
    assert "smart-manufacturing" in set(proposal.themes.values_list("slug", flat=True))
    assert Delegate.objects.count() == delegates + 2
    assert Proposal.objects.count() == proposals + 2
    assert not Delegate.objects.filter(name="林小雨").exists()

    _run(path)  # the same text again
    _write(tmp_path, "other.txt", INVENTED + "\n（转载）\n")
    out, _ = _run(tmp_path / "other.txt", "--url", "https://example.org/a")  # same URL
    assert "already stored" in out
    assert Delegate.objects.count() == delegates + 2
    assert Proposal.objects.count() == proposals + 2
    assert Article.objects.filter(url="https://example.org/a").count() == 1


@pytest.mark.django_db
def test_existing_delegate_is_matched_and_same_statement_becomes_another_quote(corpus, tmp_path):
    ma = Delegate.objects.get(name="马新强")
    existing = ma.proposals.get()
    passage = existing.quotes.get().passages.get().text
    delegates, proposals = Delegate.objects.count(), Proposal.objects.count()
    result = article_ingest(text=f"转载（测试材料）\n\n{passage}\n", title="转载测试", outlet="测试报")
    assert result.created
    assert Delegate.objects.count() == delegates
    assert Proposal.objects.count() == proposals
    assert Quote.objects.filter(proposal=existing).count() == 2
    assert Membership.objects.filter(delegate=ma).count() == 1


@pytest.mark.django_db
def test_same_name_with_conflicting_facts_is_flagged_not_merged(corpus):
    text = "测试材料\n\n全国政协委员、远山农业科技公司总经理马新强建议，发展智慧农业。\n"
    delegates = Delegate.objects.count()
    result = article_ingest(text=text, title="同名测试")
    assert Delegate.objects.count() == delegates + 1
    assert any("疑似同名" in w for w in result.extraction.warnings)
    new = Delegate.objects.exclude(pk=Delegate.objects.get(name="马新强", memberships__body="npc").pk).get(
        name="马新强"
    )
    assert "疑似同名" in new.note


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "空"),
        (b"   \n\n  ", "空"),
        ("<html><body><p>全国人大代表王晓明表示</p></body></html>".encode(), "HTML"),
        (b"\xe5\x85\xa8" * 400_000, "1 MB"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(corpus, tmp_path, content, message):
    path = _write(tmp_path, "bad.txt", content)
    articles = Article.objects.count()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("ingest_article", str(path), stdout=StringIO(), stderr=err)
    assert message in err.getvalue()
    assert Article.objects.count() == articles


@pytest.mark.django_db
def test_gb18030_file_is_read(corpus, tmp_path):
    path = _write(tmp_path, "gbk.txt", INVENTED.encode("gb18030"))
    out, _ = _run(path, "--dry-run", "--json")
    assert {d["name"] for d in json.loads(out)["delegates"]} == {"王晓明", "陈立新"}


@pytest.mark.django_db
def test_article_with_only_experts_is_stored_with_skipped_people_and_a_warning(corpus, tmp_path):
    text = "测试材料\n\n“算力是基础。”在青禾大学教授赵一鸣看来，要加快建设。\n"
    result = article_ingest(text=text, title="专家测试")
    assert result.created and result.article.pk
    assert result.extraction.delegates == []
    assert [(p.name, p.reason) for p in result.extraction.skipped_people] == [("赵一鸣", "专家")]
    assert result.extraction.warnings


@pytest.mark.django_db
def test_a_directory_ingests_every_article(corpus, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    _write(folder, "a.txt", INVENTED)
    _write(folder, "b.txt", "测试材料\n\n全国人大代表、白鹭科技公司董事长孙海洋建议，发展算力网络。\n")
    out, _ = _run(folder)
    assert out.count("article #") == 2
    assert Delegate.objects.filter(name="孙海洋").exists()
