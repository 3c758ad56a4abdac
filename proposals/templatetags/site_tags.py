"""Template helpers of the public site: search highlighting and query-string links."""

from django import template
from django.http import QueryDict
from django.utils.safestring import SafeString

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
