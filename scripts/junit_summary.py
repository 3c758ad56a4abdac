"""Prints 'N passed, N failed' (and skipped) from pytest JUnit XML files."""

import sys
import xml.etree.ElementTree as ET


def counts(path: str) -> tuple[int, int, int]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = failed = skipped = 0
    for s in suites:
        tests += int(s.get("tests", 0))
        failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
    return tests - failed - skipped, failed, skipped


def main(argv: list[str]) -> None:
    total = argv[:1] == ["--total"]
    paths = argv[1:] if total else argv
    p = f = s = 0
    for path in paths:
        a, b, c = counts(path)
        p, f, s = p + a, f + b, s + c
    line = f"{p} passed, {f} failed" + (f", {s} skipped" if s else "")
    print(f"total: {line}" if total else line)


if __name__ == "__main__":
    main(sys.argv[1:])
