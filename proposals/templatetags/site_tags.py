"""Template helpers of the public site: search highlighting and query-string links."""

from django import template
from django.http import QueryDict
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from proposals.passages import blocks
from proposals.search import highlight, matching_sentence, snippet
from proposals.search_themes import matched_by_theme
from proposals.weblinks import is_web_url

register = template.Library()


@register.filter
def web_href(url: str) -> str:
    """The URL if it is an http(s) link (proposals.weblinks), else "" (templates then link nothing)."""
    return url if is_web_url(url) else ""


@register.filter
def highlighted(text: str, query) -> SafeString:
    """The text, escaped, with the reader's query words in <mark>."""
    return highlight(text, query)


@register.filter
def excerpt(text: str, query) -> SafeString:
    """A window of the text around the first query word, highlighted."""
    return highlight(snippet(text, query), query)


@register.simple_tag
def facet_options(facet) -> SafeString:
    """A facet's options, one ``<label>`` with its checkbox (or radio button) and count each. Written here
    rather than as a template loop: the lists' facets have a few hundred options, and the template engine
    spent a third of a searched list's time on them."""
    name = conditional_escape(facet.name)
    if facet.multiple:
        lines = [
            f'<label class="option level-{o.level}"><input type="checkbox" name="{name}" '
            f'value="{conditional_escape(o.value)}"{" checked" if o.selected else ""}> '
            f'<span>{conditional_escape(o.label)}</span> <span class="count">{conditional_escape(o.count)}</span></label>'
            for o in facet.options
        ]
        return mark_safe("\n".join(lines) or '<p class="muted">无可选项</p>')  # noqa: S308 - every value escaped
    lines = [
        f'<label class="option"><input type="radio" name="{name}" value=""{"" if facet.selected else " checked"}> '
        "<span>不限</span></label>"
    ]
    lines += [
        f'<label class="option"><input type="radio" name="{name}" value="{conditional_escape(o.value)}"'
        f"{' checked' if o.selected else ''}> <span>{conditional_escape(o.label)}</span> "
        f'<span class="count">{conditional_escape(o.count)}</span></label>'
        for o in facet.options
    ]
    return mark_safe("\n".join(lines))  # noqa: S308 - every value escaped


@register.simple_tag(takes_context=True)
def without(context, key: str, value=None) -> str:
    """The current query string without one value of a parameter (all of them when value is None).

    The page number is dropped too: removing a filter starts the list again.
    """
    params: QueryDict = context["request"].GET.copy()
    if value is None:
        params.pop(key, None)
    else:
        # values may come repeated or comma-separated (filters.CommaSeparatedMultiple): remove the one value
        values = [part.strip() for v in params.getlist(key) for part in v.split(",")]
        params.setlist(key, [v for v in values if v and v != str(value)])
    params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def as_blocks(paragraphs):
    """Paragraphs of article text as blocks: ``#`` lines of the source as headings (proposals.passages)."""
    return blocks(paragraphs)


@register.filter
def sentence_matching(text: str, query) -> str:
    """The sentence of the text where the query's words occur ("" when none does)."""
    return matching_sentence(text, query)


@register.filter
def themes_matching(proposal, query) -> list:
    """The themes named by the query that this proposal is on (why a theme match matched)."""
    return matched_by_theme(proposal, query)
