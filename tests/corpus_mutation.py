"""Check that a change to the curated corpus breaks only the tests about the corpus.

Copies the checkout to a scratch folder, changes ``fixtures/curation.yaml`` there (a proposal's summary,
another's title, deletes the last proposal, renames a theme), rebuilds ``fixtures/corpus.json`` from it as a
curator would (``manage.py build_fixture``), runs the suite on SQLite, and lists the failing tests with
whether each is marked ``corpus``. Exit status 1 when a test that is not about the corpus fails.

    DEBUG=1 .venv/bin/python tests/corpus_mutation.py [pytest arguments...]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "node_modules", "test-artifacts", ".test-cache", "*.sqlite3"
)


def mutate(curation: Path) -> list[str]:
    data = yaml.safe_load(curation.read_text(encoding="utf-8"))
    proposals, themes = data["proposals"], data["themes"]
    proposals[0]["summary"] = proposals[0]["summary"] + "（摘要已修改）"
    proposals[1]["title"] = "标题已修改：" + proposals[1]["title"]
    deleted = proposals.pop()
    themes[0]["name"] = themes[0]["name"] + "（改名）"
    curation.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [
        f"proposal {proposals[0]['id']}: summary changed",
        f"proposal {proposals[1]['id']}: title changed",
        f"proposal {deleted['id']}: deleted",
        f"theme {themes[0]['slug']}: renamed to {themes[0]['name']}",
    ]


def corpus_tests(scratch: Path, env: dict[str, str]) -> set[str]:
    """Node ids of the tests marked ``corpus`` (collected, not run)."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "-m", "corpus", "-p", "no:cacheprovider"],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    return {line.strip() for line in out.splitlines() if "::" in line}


def node_id(scratch: Path, classname: str, name: str) -> str:
    """pytest's node id from a JUnit test case (classname ``tests.test_x`` or ``tests.test_x.TestY``)."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        if (scratch / ("/".join(parts[:cut]) + ".py")).exists():
            return "::".join(["/".join(parts[:cut]) + ".py", *parts[cut:], name])
    return f"{classname}::{name}"


def main(pytest_args: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="npp-corpus-mutation.") as tmp:
        scratch = Path(tmp) / "checkout"
        shutil.copytree(ROOT, scratch, ignore=IGNORE, symlinks=True)
        (scratch / ".venv").symlink_to((ROOT / ".venv").resolve())
        for change in mutate(scratch / "fixtures" / "curation.yaml"):
            print("mutation:", change)
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp}/npp.sqlite3"}
        subprocess.run([sys.executable, "manage.py", "build_fixture"], cwd=scratch, env=env, check=True)
        marked = corpus_tests(scratch, env)
        junit = Path(tmp) / "junit.xml"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--junitxml={junit}",
                *pytest_args,
            ],
            cwd=scratch,
            env=env,
        )
        failed = []
        for case in ET.parse(junit).iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed.append(node_id(scratch, case.get("classname", ""), case.get("name", "")))
    stray = [test for test in failed if test not in marked]
    print(f"\n{len(failed)} tests failed after the mutation; {len(stray)} of them not marked corpus:")
    for test in failed:
        print(("  corpus      " if test in marked else "  NOT CORPUS  ") + test)
    return 1 if stray else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
