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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "node_modules", "test-artifacts", ".test-cache", "*.sqlite3"
)


Data = dict[str, Any]


def _by_id(records: list[Data], pk: int) -> Data:
    return next(record for record in records if record["id"] == pk)


def _drop_proposals(data: Data, keep: Callable[[Data], bool]) -> list[int]:
    dropped = [p["id"] for p in data["proposals"] if not keep(p)]
    data["proposals"] = [p for p in data["proposals"] if keep(p)]
    return dropped


def edit_summary(data: Data) -> str:
    proposal = _by_id(data["proposals"], 1)
    proposal["summary"] += "（摘要已修改）"
    return f"proposal {proposal['id']}: summary changed"


def edit_title(data: Data) -> str:
    proposal = _by_id(data["proposals"], 2)
    proposal["title"] = "标题已修改：" + proposal["title"]
    return f"proposal {proposal['id']}: title changed"


def delete_proposal(data: Data) -> str:
    deleted = data["proposals"].pop()
    return f"proposal {deleted['id']}: deleted"


def rename_theme(data: Data) -> str:
    theme = data["themes"][0]
    theme["name"] += "（改名）"
    return f"theme {theme['slug']}: renamed to {theme['name']}"


def rename_delegates(data: Data) -> str:
    """The two delegates most tests used to name: a corrected name, the aliases kept consistent with it."""
    renamed = []
    for pk, new in ((27, "雷俊"), (17, "史皓飞")):
        delegate = _by_id(data["delegates"], pk)
        old, delegate["name"] = delegate["name"], new
        aliases = [new if alias == old else alias for alias in delegate.get("aliases", [])]
        delegate["aliases"] = [
            alias for alias in dict.fromkeys([*aliases, old + "（曾用名）"]) if alias != new
        ]
        renamed.append(f"{old} -> {new}")
    return "delegates renamed: " + ", ".join(renamed)


def delete_delegate_proposals(data: Data) -> str:
    """景亚萍 stays, with no proposal of hers."""
    dropped = _drop_proposals(data, lambda p: all(a["delegate"] != 20 for a in p["authors"]))
    return f"delegate 20's proposals {dropped}: deleted"


def delete_delegate(data: Data) -> str:
    """刘庆峰 and every proposal he led; his co-signatures elsewhere removed."""
    dropped = _drop_proposals(
        data,
        lambda p: all(not (a["delegate"] == 31 and a.get("role", "lead") == "lead") for a in p["authors"]),
    )
    for p in data["proposals"]:
        p["authors"] = [a for a in p["authors"] if a["delegate"] != 31]
    data["delegates"] = [d for d in data["delegates"] if d["id"] != 31]
    return f"delegate 31: deleted with proposals {dropped}"


def rename_organisation(data: Data) -> str:
    old, new = "小米集团", "小米科技有限责任公司"
    for organisation in data["organisations"]:
        organisation["name"] = new if organisation["name"] == old else organisation["name"]
        if organisation.get("parent") == old:
            organisation["parent"] = new
    for delegate in data["delegates"]:
        for position in delegate.get("positions", []):
            if position["organisation"] == old:
                position["organisation"] = new
    return f"organisation {old}: renamed to {new}"


def rename_region(data: Data) -> str:
    """A region's name and slug (what the URLs carry), every reference to it following."""
    old, new = "hubei", "hubei-province"
    for region in data["regions"]:
        if region["slug"] == old:
            region["slug"], region["name"] = new, "湖北"
        if region.get("parent") == old:
            region["parent"] = new
    for record in [*data["organisations"], *(m for d in data["delegates"] for m in d.get("memberships", []))]:
        if record.get("region") == old:
            record["region"] = new
    return f"region {old}: renamed to {new} (湖北)"


def change_themes(data: Data) -> str:
    changed = []
    for pk, themes in ((26, ["smart-manufacturing", "green-low-carbon"]), (31, ["digital-economy"])):
        proposal = _by_id(data["proposals"], pk)
        proposal["themes"] = themes
        changed.append(f"{pk} -> {themes}")
    return "proposal themes changed: " + ", ".join(changed)


def drop_quote(data: Data) -> str:
    """Proposal 15 loses its last quote; proposal 26's quote loses its first passage."""
    _by_id(data["proposals"], 15)["quotes"].pop()
    _by_id(data["proposals"], 26)["quotes"][0]["passages"].pop(0)
    return "proposal 15: last quote dropped; proposal 26: first passage dropped"


def retitle_article(data: Data) -> str:
    article = _by_id(data["articles"], 4)
    article["title"] = "（标题更正）" + article["title"]
    return f"article {article['id']}: title changed"


# What a curator really changes, by name: CORPUS_MUTATIONS=rename-delegates,drop-quote selects a few.
MUTATIONS: dict[str, Callable[[Data], str]] = {
    "summary": edit_summary,
    "title": edit_title,
    "delete-proposal": delete_proposal,
    "rename-theme": rename_theme,
    "rename-delegates": rename_delegates,
    "delete-delegate-proposals": delete_delegate_proposals,
    "delete-delegate": delete_delegate,
    "rename-organisation": rename_organisation,
    "rename-region": rename_region,
    "change-themes": change_themes,
    "drop-quote": drop_quote,
    "retitle-article": retitle_article,
}


def mutate(curation: Path, names: list[str]) -> list[str]:
    data = yaml.safe_load(curation.read_text(encoding="utf-8"))
    changes = [MUTATIONS[name](data) for name in names]
    curation.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return changes


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
        names = [n for n in os.environ.get("CORPUS_MUTATIONS", "").split(",") if n] or list(MUTATIONS)
        unknown = set(names) - set(MUTATIONS)
        if unknown:
            sys.exit(f"unknown mutations {sorted(unknown)}; known: {', '.join(MUTATIONS)}")
        for change in mutate(scratch / "fixtures" / "curation.yaml", names):
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
