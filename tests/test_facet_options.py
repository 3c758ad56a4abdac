"""The facets' options written by the ``facet_options`` tag (not a template loop): escaped, checked when
chosen, one label each."""

from __future__ import annotations

from proposals.facets import Facet, Option
from proposals.templatetags.site_tags import facet_options

HOSTILE = '<script>alert("x")</script>&"'


def test_checkbox_options_are_escaped_and_checked_when_chosen():
    facet = Facet(
        "region",
        "地区",
        [Option("hubei", "湖北", 12, selected=True), Option(HOSTILE, HOSTILE, 3, level=1)],
    )
    html = str(facet_options(facet))
    assert html.count("<label") == 2 and html.count('type="checkbox"') == 2
    assert '<label class="option level-0"><input type="checkbox" name="region" value="hubei" checked>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "&quot;" in html
    assert 'class="option level-1"' in html and '<span class="count">3</span>' in html


def test_radio_options_start_with_any_and_an_empty_facet_says_so():
    single = Facet("kind", "类型", [Option("proposal", "提案", 5, selected=True)], multiple=False)
    html = str(facet_options(single))
    assert html.index("不限") < html.index("提案")
    assert 'value="" checked' not in html and 'value="proposal" checked' in html
    unchosen = Facet("kind", "类型", [Option("proposal", "提案", 5)], multiple=False)
    assert 'value="" checked' in str(facet_options(unchosen))
    assert "无可选项" in str(facet_options(Facet("theme", "主题", [])))
