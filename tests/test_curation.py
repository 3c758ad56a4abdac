"""The curated YAML -> fixture builder: a broken file gives a readable error and writes nothing."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from proposals.curation import CurationError, build, locate

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def _curation() -> dict:
    return yaml.safe_load((FIXTURES / "curation.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "curation.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_locate_finds_offsets_and_refuses_what_is_not_verbatim():
    text = "甲乙丙。甲乙丙。"
    assert locate(text, "乙丙") == (1, 3)
    assert locate(text, "乙丙", start=5) == (5, 7)
    with pytest.raises(CurationError, match="not verbatim"):
        locate(text, "丙丁")
    with pytest.raises(CurationError, match="not verbatim"):
        locate(text, "乙丙", start=2)


def test_the_committed_fixture_is_what_the_curation_file_builds():
    built = build(FIXTURES / "curation.yaml", FIXTURES / "articles").dumps()
    assert built == (FIXTURES / "corpus.json").read_text(encoding="utf-8"), "run manage.py build_fixture"


def test_a_passage_that_is_not_in_its_article_is_refused(tmp_path):
    data = _curation()
    data["proposals"][0]["quotes"][0]["passages"][0] = "这句话并不在任何文章里出现过。"
    source = _write(tmp_path, data)
    output = tmp_path / "out.json"
    with pytest.raises(CommandError, match="not verbatim"):
        call_command("build_fixture", source=source, output=output)
    assert not output.exists(), "nothing is written when the file is broken"


def test_unknown_references_are_named(tmp_path):
    data = _curation()
    data["proposals"][0]["themes"] = ["no-such-theme"]
    with pytest.raises(CurationError, match="unknown theme no-such-theme"):
        build(_write(tmp_path, data), FIXTURES / "articles")
    data = _curation()
    data["proposals"][0]["authors"].append(dict(data["proposals"][0]["authors"][0]))
    with pytest.raises(CurationError, match="lead author"):
        build(_write(tmp_path, data), FIXTURES / "articles")


def test_invalid_yaml_is_a_command_error(tmp_path):
    source = tmp_path / "broken.yaml"
    source.write_text("articles: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="broken.yaml"):
        call_command(
            "build_fixture", source=source, output=tmp_path / "out.json", articles=FIXTURES / "articles"
        )
