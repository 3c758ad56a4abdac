"""The normal form of article text and the re-anchoring of passages: plain functions, property-based."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from proposals.anchoring import Anchor, reanchor
from proposals.names import has_honorific, strip_honorific
from proposals.normalise import normalise_article_text

TEXT = st.text(st.characters(codec="utf-8"), max_size=200)
CJK = st.text(
    st.sampled_from("新质生产力发展创新人工智能数字经济代表委员建议，。\n"), min_size=1, max_size=120
)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_normalising_is_idempotent_and_leaves_only_newlines(text):
    once = normalise_article_text(text)
    assert normalise_article_text(once) == once
    assert "\r" not in once and "\ufeff" not in once and "\x00" not in once


def test_normal_form_keeps_the_layout():
    assert normalise_article_text("\n\n  标题\r\n\r\n正文  ") == "\n\n  标题\n\n正文  "


@settings(max_examples=150, deadline=None)
@given(CJK, CJK, CJK, CJK)
def test_an_edit_outside_a_passage_moves_it_to_the_same_words(before, quoted, after, inserted):
    old = before + quoted + after
    start = len(before)
    new = inserted + old
    [moved] = reanchor(old, new, [Anchor(start, start + len(quoted), quoted)])
    if moved.broken:  # only when the words occur elsewhere too and the diff cannot single one out
        assert new.count(quoted) > 1
    else:
        assert new[moved.start : moved.end] == quoted


@settings(max_examples=150, deadline=None)
@given(CJK, CJK, CJK)
def test_removed_words_break_the_passage(before, quoted, after):
    old = before + quoted + after
    new = old.replace(quoted, "")
    [moved] = reanchor(old, new, [Anchor(len(before), len(before) + len(quoted), quoted)])
    assert moved.broken == (quoted not in new)
    if not moved.broken:
        assert new[moved.start : moved.end] == quoted


def test_a_repeated_paragraph_follows_the_surrounding_text():
    old = "甲段。\n重复的话。\n乙段。\n重复的话。\n"
    second = old.index("重复的话。", 4)
    new = "新加的一行。\n" + old
    [moved] = reanchor(old, new, [Anchor(second, second + 5, "重复的话。")])
    assert moved.start == second + len("新加的一行。\n")


def test_honorifics_are_not_names():
    assert strip_honorific("雷军代表") == "雷军"
    assert strip_honorific("郭静委员") == "郭静"
    assert strip_honorific("代表") == "代表"
    assert has_honorific("史浩飞代表") and not has_honorific("史浩飞")
