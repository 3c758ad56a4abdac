"""build_fixture's success path: a dry run reports the counts and writes nothing; a run writes the fixture."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_dry_run_reports_and_writes_nothing(tmp_path):
    out = StringIO()
    call_command("build_fixture", "--dry-run", output=tmp_path / "corpus.json", stdout=out)
    assert out.getvalue().startswith("valid: article ")
    assert not (tmp_path / "corpus.json").exists()


def test_writes_the_fixture(tmp_path):
    out = StringIO()
    call_command("build_fixture", output=tmp_path / "corpus.json", stdout=out)
    assert "wrote" in out.getvalue()
    written = (tmp_path / "corpus.json").read_text(encoding="utf-8")
    assert written == (FIXTURES / "corpus.json").read_text(encoding="utf-8")
