"""Golden file for segmentation: sample text in, expected jieba tokens out (tests/golden/segmentation.json).

When the user dictionary (proposals/search_dict.txt) changes on purpose, regenerate the golden file,
read the diff, and run `manage.py rebuild_search_index`.
"""

import json
from pathlib import Path

import pytest

from proposals.search import bigrams, index_tokens, segment

GOLDEN = json.loads((Path(__file__).parent / "golden" / "segmentation.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", GOLDEN, ids=[c["text"][:12] for c in GOLDEN])
def test_segmentation_matches_the_golden_file(case):
    assert segment(case["text"]) == case["tokens"]


def test_domain_words_and_names_are_one_word():
    tokens = segment("史浩飞建议发展新质生产力，抢抓智能网联新能源汽车机遇，支持专精特新企业")
    for word in ["史浩飞", "新质生产力", "智能网联新能源汽车", "专精特新"]:
        assert word in tokens


def test_index_holds_words_and_bigrams_once_each():
    doc = index_tokens("智能网联", "智能网联")
    tokens = doc.split()
    assert doc.startswith(" ") and doc.endswith(" ")
    assert len(tokens) == len(set(tokens))
    assert set(bigrams("智能网联")) == {"智能", "能网", "网联"}
    assert set(bigrams("智能网联")) <= set(tokens)


def test_traditional_text_is_indexed_as_simplified():
    assert segment("護航中國式現代化") == segment("护航中国式现代化")
