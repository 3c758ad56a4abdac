"""proposals.segmenter.Tokenizer cuts every text into the same words as jieba's own tokenizer, with the same
user dictionary, before and after words are added to or removed from it."""

from pathlib import Path

import jieba
import pytest
from django.conf import settings as django_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from proposals.segmenter import Tokenizer

ARTICLES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "articles").glob("*.txt"))


def _loaded(tokenizer: jieba.Tokenizer) -> jieba.Tokenizer:
    jieba.setLogLevel(60)
    tokenizer.load_userdict(str(django_settings.JIEBA_USER_DICT))
    return tokenizer


@pytest.fixture(scope="module")
def pair() -> tuple[jieba.Tokenizer, Tokenizer]:
    return _loaded(jieba.Tokenizer()), _loaded(Tokenizer())


def _same_words(pair, text: str) -> None:
    stock, fast = pair
    assert fast.lcut(text) == stock.lcut(text)
    assert fast.lcut_for_search(text) == stock.lcut_for_search(text)


def test_the_articles_are_cut_into_the_same_words(pair):
    assert len(ARTICLES) == 5
    for path in ARTICLES:
        for paragraph in path.read_text(encoding="utf-8").splitlines():
            _same_words(pair, paragraph)


# Dictionary words and their pieces, characters that are no word, Latin, digits, punctuation and spaces,
# so that texts have paths with ties, unknown runs (the HMM) and blocks jieba does not cut by path.
_PIECES = st.sampled_from(
    ["新质生产力", "人工智能", "智能网联新能源汽车", "制造业", "的", "和", "数字经济", "发展", "中国式现代化"]
    + ["史浩飞", "耐心资本", "氢能", "专精特新", "研究", "生", "产", "力", "䶮", "𠀋", "AI", "5G", "2024"]
    + ["，", "。", "“", "”", " ", "\n", "-", "_", "%", "🙂"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=40).map("".join))
def test_any_text_is_cut_into_the_same_words(pair, text):
    _same_words(pair, text)


def test_words_added_and_removed_change_both_alike():
    stock, fast = _loaded(jieba.Tokenizer()), _loaded(Tokenizer())
    text = "两会代表建议加快培育新质生产力和低空经济产业链"
    _same_words((stock, fast), text)
    assert "低空经济产业链" not in fast.lcut(text)
    for tokenizer in (stock, fast):
        tokenizer.add_word("低空经济产业链", freq=100000)
    _same_words((stock, fast), text)
    assert "低空经济产业链" in fast.lcut(text)
    for tokenizer in (stock, fast):
        tokenizer.del_word("新质生产力")
    _same_words((stock, fast), text)
    assert "新质生产力" not in fast.lcut(text)


def test_a_tie_between_paths_goes_to_the_longer_word_as_in_jieba():
    """甲乙 as one word or as 甲 + 乙 scores log(5) either way (a total of 1 makes log(total) 0, and 甲's
    frequency of 1 makes its score 0): jieba keeps the longer word."""
    tokenizers = []
    for tokenizer in (jieba.Tokenizer(), Tokenizer()):
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = {"甲": 1, "乙": 5, "甲乙": 5}, 1, True
        tokenizers.append(tokenizer)
    stock, fast = tokenizers
    assert stock.lcut("甲乙", HMM=False) == ["甲乙"]
    assert fast.lcut("甲乙") == stock.lcut("甲乙") == ["甲乙"]


def test_warm_up_builds_the_score_table_before_the_workers_fork():
    """The web server's master warms up before forking (npp_db/gunicorn_conf.py): the workers share the
    dictionary and the table instead of each building its own on its first search."""
    from proposals import search

    search.warm_up()
    assert isinstance(search._tokenizer(), Tokenizer)
    assert search._tokenizer()._scores is not None
