"""The local .env of a development checkout: written by `make run`, read by the settings, never stronger
than the real environment, and never a way around production's refusal to start without a SECRET_KEY."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from npp_db.env import read_env_file

ROOT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'npp_db.settings'; django.setup(); "
    "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"
)


def _settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly this environment."""
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def environ(monkeypatch):
    """A private os.environ for read_env_file to write into (pytest's own variable left out of the checks)."""

    class Environ(dict):
        def settings(self) -> dict[str, str]:
            return {k: v for k, v in self.items() if k != "PYTEST_CURRENT_TEST"}

    fake = Environ()
    monkeypatch.setattr(os, "environ", fake)
    return fake


def test_reads_keys_values_comments_and_quotes(tmp_path, environ):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# a comment\n\nDEBUG=1\nexport LOG_LEVEL = INFO\nSECRET_KEY='a b=c'\nCACHE_URL=\"locmem://\"\n",
        encoding="utf-8",
    )
    read_env_file(env_file)
    assert environ.settings() == {
        "DEBUG": "1",
        "LOG_LEVEL": "INFO",
        "SECRET_KEY": "a b=c",
        "CACHE_URL": "locmem://",
    }


def test_the_real_environment_wins(tmp_path, environ):
    environ["DEBUG"] = "0"
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=dev\n", encoding="utf-8")
    read_env_file(env_file)
    assert environ.settings() == {"DEBUG": "0", "SECRET_KEY": "dev"}


def test_a_missing_file_reads_nothing(tmp_path, environ):
    read_env_file(tmp_path / "absent.env")
    assert environ.settings() == {}


def test_a_line_that_is_not_key_value_is_an_error(tmp_path, environ):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nthis is not a setting\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="line 2"):
        read_env_file(env_file)


def test_make_writes_a_development_env_with_its_own_key(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        subprocess.run(
            ["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path / folder), ".env"],
            env={"PATH": os.environ["PATH"], "PYTHON": sys.executable},
            check=True,
            capture_output=True,
        )
    first, second = (_values(tmp_path / folder / ".env") for folder in ("a", "b"))
    assert first["DEBUG"] == second["DEBUG"] == "1"
    assert len(first["SECRET_KEY"]) >= 50
    assert first["SECRET_KEY"] != second["SECRET_KEY"]


def _values(env_file: Path) -> dict[str, str]:
    lines = env_file.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_settings_read_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=from-the-dot-env\n", encoding="utf-8")
    result = _settings({"ENV_FILE": str(env_file)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "from-the-dot-env"]


def test_real_variables_override_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=from-the-dot-env\n", encoding="utf-8")
    result = _settings({"ENV_FILE": str(env_file), "DEBUG": "0", "SECRET_KEY": "the-real-one"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "the-real-one"]


def test_without_env_file_debug_is_off_and_a_secret_key_is_required(tmp_path):
    result = _settings({"ENV_FILE": str(tmp_path / "absent.env")})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_an_env_file_without_a_key_does_not_lift_the_refusal(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("LOG_LEVEL=INFO\n", encoding="utf-8")
    result = _settings({"ENV_FILE": str(env_file)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_documented_commands_work_on_a_checkout_with_its_env(tmp_path):
    """`manage.py <command>` as the README writes it: no DEBUG=1 typed, the .env supplies it."""
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=dev-checkout\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "manage.py", "changepassword", "--help"],
        env={"PATH": "/usr/bin:/bin", "ENV_FILE": str(env_file)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: manage.py changepassword" in result.stdout
