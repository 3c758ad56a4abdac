"""Chinese full-text search: jieba segmentation, the index columns, and the one search function.

Indexing: a record's text is converted to simplified characters, segmented with jieba (search mode), and
every CJK character bigram is added beside the words, so that a two-character word inside a longer one
(网联 in 智能网联) is found. The tokens are stored space-padded in ``Proposal.search_tokens``.

Querying: the query is converted and segmented the same way. Every query word must match, either as a
whole token or through all of its bigrams (the indexed pre-filter), and then occur verbatim in the
simplified text (so 人工智慧 does not match 人工智能 + 智慧城市); a phrase in quotation marks must occur
verbatim. Query words need not be adjacent: 人工智能发展 finds 人工智能 … 发展. Ranking: a word in the
title outweighs any number of occurrences in the text. On PostgreSQL
the match runs on a GIN index over ``array_to_tsvector(string_to_array(search_tokens, ' '))`` (no text
search parser is involved, so the result does not depend on the server's locale); on SQLite it is the same
test written with LIKE. Ranking is the same expression on both backends.
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Least, Replace
from django.db.models.sql.where import WhereNode
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from proposals import pair_signature
from proposals.counts import exact_limit
from proposals.recency import newest_ids_and_total

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK}]+")
_TOKEN_OK = re.compile(f"^(?:[{CJK}]+|[0-9a-z]+)$")
_QUOTES = '"“”「」『』＂'
_PHRASE = re.compile(f"[{_QUOTES}]([^{_QUOTES}]+)[{_QUOTES}]")
TITLE_WEIGHT = 100  # a query word in the title outranks any number of occurrences in the text
MAX_OCCURRENCES = TITLE_WEIGHT - 1


@functools.cache
def _tokenizer():
    import jieba

    from proposals.segmenter import Tokenizer

    jieba.setLogLevel(60)
    tokenizer = Tokenizer()  # jieba's, faster (proposals.segmenter)
    tokenizer.load_userdict(str(settings.JIEBA_USER_DICT))
    return tokenizer


@functools.cache
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


# Regional phrase configurations, applied to queries only: on the indexed text they would also rewrite
# mainland words (智慧城市 -> 智能城市). tw2sp converts Taiwan phrases (人工智慧 -> 人工智能, 軟體 -> 软件);
# hk2s Hong Kong forms.
VARIANT_CONFIGS = ("tw2sp", "hk2s")


@functools.cache
def _variant_converter(config: str):
    from opencc import OpenCC

    return OpenCC(config)


def mainland_variants(text: str) -> list[str]:
    """The text as the regional phrase configurations read it, where that differs from plain t2s."""
    plain_text = to_simplified(text).lower()
    out: list[str] = []
    for config in VARIANT_CONFIGS:
        converted = _variant_converter(config).convert(text).lower()
        if converted != plain_text and converted not in out:
            out.append(converted)
    return out


@functools.cache
def _changing() -> tuple[frozenset[str], tuple[str, ...]]:
    """What OpenCC can change: the characters it converts on their own, and the few phrases it converts
    although none of their characters is converted alone (沈默 -> 沉默)."""
    converter = _converter()
    converter.convert("")  # loads the dictionaries
    pairs: list[tuple[str, str]] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            pairs.extend(node.items())
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child)

    walk(converter._dict_chain_data)
    chars = frozenset(k for k, v in pairs if len(k) == 1 and k != v)
    phrases = tuple(k for k, v in pairs if len(k) > 1 and k != v and not chars.intersection(k))
    return chars, phrases


def warm_up() -> None:
    """Load the dictionaries now (a server's master process, before its workers fork)."""
    _tokenizer().lcut("预热")  # a whole cut: the dictionary and its score table (proposals.segmenter)
    _changing()


def to_simplified(text: str) -> str:
    """Traditional characters converted to simplified (OpenCC t2s).

    Most text is simplified already: when it holds nothing OpenCC would change, it is returned as it is
    (the same result, without the pure-Python dictionary walk that dominates indexing time).
    """
    if not text:
        return ""
    chars, phrases = _changing()
    if chars.isdisjoint(text) and not any(p in text for p in phrases):
        return text
    return _converter().convert(text)


def segment(text: str, *, simplified: bool = False) -> list[str]:
    """jieba search-mode words of a text, simplified and lower-cased, punctuation dropped."""
    words = _tokenizer().cut_for_search((text if simplified else to_simplified(text)).lower())
    return [w for w in (w.strip() for w in words) if w and _TOKEN_OK.match(w)]


def bigrams(text: str, *, simplified: bool = False) -> list[str]:
    """Every pair of adjacent CJK characters, within runs of CJK text."""
    pairs: list[str] = []
    for run in _CJK_RUN.findall(text if simplified else to_simplified(text)):
        pairs.extend(map(str.__add__, run, run[1:]))
    return pairs


def plain(*texts: str, simplified: bool = False) -> str:
    """Simplified, lower-cased text for phrase matching and ranking (simplified=True: the texts are
    ``to_simplified`` output already, so that a caller that needs both columns converts each text once)."""
    return "\n".join((t if simplified else to_simplified(t)).lower() for t in texts if t)


def index_tokens(*texts: str, simplified: bool = False) -> str:
    """The space-padded, de-duplicated token string stored in the index columns (simplified: as plain)."""
    tokens: list[str] = []
    for text in texts:
        simplified_text = text if simplified else to_simplified(text)
        tokens += segment(simplified_text, simplified=True)
        tokens += bigrams(simplified_text, simplified=True)
    seen = dict.fromkeys(tokens)  # each token once, where it first occurs
    return f" {' '.join(seen)} " if seen else ""


# --- queries -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One query word: it matches as a whole token, or (CJK) through all of its bigrams."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]
    substring: bool = False  # a single CJK character: matched as a substring of the plain text


@dataclass
class ParsedQuery:
    raw: str
    terms: list[Term] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    truncated: bool = False
    # The query as written in mainland usage, when a Taiwan/Hong Kong phrase configuration of OpenCC reads
    # it differently (人工智慧 -> 人工智能): a proposal matching any of them matches (query time only).
    variants: list[ParsedQuery] = field(default_factory=list)
    # Themes the query names (set by the caller, proposals.search_themes): their proposals match too,
    # ranked below every text match.
    themes: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)

    @property
    def words(self) -> list[str]:
        return [t.word for t in self.terms] + self.phrases

    @property
    def highlight_words(self) -> list[str]:
        words = set(self.words)
        for variant in self.variants:
            words |= set(variant.words)
        return sorted(words, key=len, reverse=True)


def _term(word: str) -> Term:
    if _CJK_RUN.fullmatch(word):
        if len(word) == 1:
            return Term(word, (), substring=True)
        pairs = tuple(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))
        alternatives = ((word,),) if pairs == (word,) else ((word,), pairs)
        return Term(word, alternatives)
    return Term(word, ((word,),))


def parse_query(raw: str, max_length: int | None = None, *, variants: bool = True) -> ParsedQuery:
    """Segment a reader's query. Phrases in quotation marks stay whole; the rest is segmented by jieba."""
    max_length = max_length or settings.SEARCH_QUERY_MAX_LENGTH
    raw = (raw or "").strip()
    truncated = len(raw) > max_length
    if truncated:
        raw = raw[:max_length]
    text = to_simplified(raw).lower()
    phrases = [p.strip() for p in _PHRASE.findall(text) if p.strip()]
    rest = _PHRASE.sub(" ", text)
    words = list(dict.fromkeys(w for w in _tokenizer().cut(rest) if w.strip() and _TOKEN_OK.match(w.strip())))
    parsed = ParsedQuery(
        raw=raw, terms=[_term(w.strip()) for w in words], phrases=phrases, truncated=truncated
    )
    if variants:
        parsed.variants = [
            v for v in (parse_query(text, max_length, variants=False) for text in mainland_variants(raw)) if v
        ]
    return parsed


# The stored tsvector column the PostgreSQL GIN index is built on (migrations 0006 and 0011: the search tokens
# and the filter keys as a tsvector, generated by the database from search_tokens and filter_keys).
SEARCH_VECTOR_SQL = "search_vector"


class _Bytes(Func):
    """The length of a text in bytes (UTF-8): cheaper than in characters, which PostgreSQL counts one by
    one (the rank of 200 candidates, two words: 4.5-7 ms against 3.8-4.5 at a million rows)."""

    function = "octet_length"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="length(CAST(%(expressions)s AS BLOB))", **extra_context
        )


def _occurrences(column: str, word: str):
    """How many times ``word`` occurs in the column: the bytes that removing it removes, over its bytes."""
    removed = _Bytes(F(column)) - _Bytes(Replace(F(column), Value(word), Value("")))
    return removed / Value(len(word.encode()))


def _ends(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The first and last bigram of a word or phrase stand for all of them in the index condition: the
    verbatim test decides anyway, and PostgreSQL multiplies the frequencies of ANDed bigrams as if they
    were independent (eight bigrams of one phrase would be estimated at one row while matching 12% of the
    table, and planned as if they were rare)."""
    return tokens if len(tokens) <= 2 else (tokens[0], tokens[-1])


def _tsquery_literal(alternatives: tuple[tuple[str, ...], ...]) -> str:
    ors = [" & ".join(f"'{tok}'" for tok in _ends(alt)) for alt in alternatives]
    return " | ".join(f"({o})" for o in ors)


def _tsquery_text(query: ParsedQuery) -> str | None:
    """The PostgreSQL tsquery of one reading of the query (None: nothing to pre-filter on)."""
    parts = [f"({_tsquery_literal(t.alternatives)})" for t in query.terms if not t.substring]
    for phrase in query.phrases:
        pairs = tuple(dict.fromkeys(bigrams(phrase)))
        if pairs:
            parts.append("(" + " & ".join(f"'{p}'" for p in _ends(pairs)) + ")")
    return " & ".join(parts) if parts else None


class IndexCondition(RawSQL):
    """The search's index condition, ``search_vector @@ tsquery`` (``in_search_index``).

    ``redundant_when_walking``: every word of its reading is also tested verbatim in the text, which implies
    it (a CJK word or phrase in the text has all its bigrams among the row's tokens), so a plan that tests
    rows one by one (proposals.recency's newest-first walk) need not test it: the row's tsvector, kilobytes
    de-toasted, is not read."""

    def __init__(self, tsquery: str, *, implied: bool, in_signature: Q | None = None) -> None:
        super().__init__(f"{SEARCH_VECTOR_SQL} @@ %s::tsquery", [tsquery], output_field=BooleanField())
        self.redundant_when_walking = implied
        self.in_signature = in_signature

    in_search_index = True

    def with_keys(self, keys: str) -> IndexCondition:
        """This condition with filter keys (a tsquery) ANDed into it: the search's tsvector holds them
        (proposals.keyed_search). The verbatim test no longer implies it."""
        return IndexCondition(f"({self.params[0]}) & {keys}", implied=False, in_signature=self.in_signature)


def _in_signature(query: ParsedQuery) -> Q | None:
    """What the index condition of a reading (``_tsquery_text``) says of a row's pair signature
    (proposals.pair_signature): each token it tests is a token of the row, so occurs in its ``search_plain``
    (a jieba word or bigram of the same simplified, lower-cased text). None: nothing."""
    condition = Q()
    for term in query.terms:
        if term.substring:
            continue
        either = [pair_signature.covering(*_ends(alt)) for alt in term.alternatives]
        known = [e for e in either if e is not None]
        if known and len(known) == len(either):
            condition &= functools.reduce(operator.or_, known)
    for phrase in query.phrases:
        condition &= pair_signature.covering(*_ends(tuple(dict.fromkeys(bigrams(phrase))))) or Q()
    return condition or None


def _tested_verbatim(term: Term) -> bool:
    """Whether the text test (``_verbatim_condition``) checks a query word: a single CJK character, or a CJK
    word of three or more (see there)."""
    return term.substring or (bool(_CJK_RUN.fullmatch(term.word)) and len(term.word) > 2)


def _index_condition(query: ParsedQuery) -> Q | None:
    """The indexed pre-filter of one reading of the query (None: nothing to pre-filter on)."""
    if connection.vendor == "postgresql":
        text = _tsquery_text(query)
        if text is None:
            return None
        implied = all(_tested_verbatim(t) for t in query.terms)
        return Q(IndexCondition(text, implied=implied, in_signature=_in_signature(query)))
    condition = Q()
    for term in query.terms:
        if term.substring:
            continue
        either = Q()
        for alt in term.alternatives:
            all_of = Q()
            for tok in alt:
                all_of &= Q(search_tokens__contains=f" {tok} ")
            either |= all_of
        condition &= either
    return condition


def _verbatim_condition(query: ParsedQuery) -> Q:
    """What the index cannot say: a CJK word or phrase occurs verbatim in the simplified text (its bigrams
    alone would also match 人工智慧 in a text with 人工智能 and 智慧城市). A jieba token of the text occurs in
    it verbatim, so for a CJK word this is the whole test and the index only narrows the candidates. A
    two-character CJK word needs no text test: every bigram of the text is indexed, so the index condition
    (the word as a token or bigram) is exactly "occurs in the text", and the text (kilobytes a row) is not
    read for each candidate. A Latin or numeric word is a whole token (the index condition) too."""
    condition = Q()
    for term in query.terms:
        if _tested_verbatim(term):
            condition &= Q(search_plain__contains=term.word)
    for phrase in query.phrases:
        condition &= Q(search_plain__contains=phrase)
    return condition


def _reading_condition(query: ParsedQuery) -> Q:
    index = _index_condition(query)
    verbatim = _verbatim_condition(query)
    return verbatim if index is None else index & verbatim


def _rank(query: ParsedQuery):
    rank: Any = Value(0, output_field=IntegerField())
    for word in query.words:
        title_hit = Case(
            When(search_title__contains=word, then=Value(TITLE_WEIGHT)),
            default=Value(0),
            output_field=IntegerField(),
        )
        rank = rank + title_hit + Least(_occurrences("search_plain", word), Value(MAX_OCCURRENCES))
    return rank


def apply_search(qs: QuerySet, raw: str | ParsedQuery) -> QuerySet:
    """Filter a Proposal queryset by a reader's query and annotate ``search_rank``.

    The one search function behind the site and the API: the backend difference stays in the index
    condition. A proposal matches any reading of the query (as written, or a mainland reading of a
    Taiwan/Hong Kong phrase), or is on a theme the query names (its filter key: rank 0, below every text
    match, whose rank is at least 1 since each of its words occurs). All of it is one condition on the
    proposal row, which the planner can test walking the newest-first index for a common word, or answer
    from the GIN indexes for a rare one (with the filters' keys).
    """
    from proposals import filter_keys

    query = raw if isinstance(raw, ParsedQuery) else parse_query(raw)
    if not query and not query.themes:
        # Nothing searchable (punctuation only): no results; an empty query: everything. Either way the
        # rank exists, so that ordering by relevance never fails.
        qs = qs.none() if query.raw else qs
        return qs.annotate(search_rank=Value(0, output_field=IntegerField()))
    readings = [q for q in (query, *query.variants) if q]
    matched = Q(pk__in=[])
    if query.themes:
        # First: PostgreSQL tests an OR's branches in the order written, and the keys are bytes in the row
        # where a reading's test de-toasts the row's tsvector and text.
        keys = [filter_keys.key(filter_keys.THEME, t.pk) for t in query.themes]
        matched |= filter_keys.keys_condition(keys, connections[qs.db].vendor)
    ranks = []
    for reading in readings:
        matched |= _reading_condition(reading)
        ranks.append(
            When(_verbatim_condition(reading) & _index_condition_or_true(reading), then=_rank(reading))
        )
    if len(ranks) == 1 and not query.themes:
        rank = _rank(readings[0])  # every match is a match of this reading
    else:
        rank = Case(*ranks, default=Value(0), output_field=IntegerField())
    return qs.filter(matched).annotate(search_rank=rank)


def _index_condition_or_true(query: ParsedQuery) -> Q:
    """The index condition where the text test alone does not decide (Latin or numeric whole words,
    two-character CJK words)."""
    if not all(_tested_verbatim(t) for t in query.terms):
        return _index_condition(query) or Q()
    return Q()


def rank_candidates(qs: QuerySet, limit: int) -> QuerySet:
    """Only the newest ``limit`` records of a searched queryset, so that ranking by relevance costs the
    same whether a word matches a hundred records or a million (ranking every match of a common word
    takes seconds). The candidates' ids are read once (``query.candidate_ids``: the facets count the
    same records) and the queryset remembers the unbounded one for counting (see proposals.counts), and
    the number of its records when reading the candidates counted them (``query.matches``)."""
    candidates, matches = newest_ids_and_total(qs, limit, exact_limit())
    # The outer query keeps the annotations, prefetches and deferred fields but not the filters: the
    # candidates passed them already.
    bounded = qs.all()
    bounded.query.where = WhereNode()
    bounded = bounded.filter(pk__in=candidates)
    # Query.clone() copies these attributes, so every queryset made from this one keeps them.
    setattr(bounded.query, "unbounded", getattr(qs.query, "unbounded", qs))  # noqa: B010
    setattr(bounded.query, "rank_limit", limit)  # noqa: B010
    setattr(bounded.query, "candidate_ids", candidates)  # noqa: B010
    setattr(bounded.query, "matches", matches)  # noqa: B010
    return bounded


def _folded(text: str) -> str:
    """The text simplified and lower-cased character by character, as long as the text itself, so that an
    index into it is an index into the text ("İ".lower() is two characters: its first is kept; a phrase conversion of OpenCC
    may change the length: then the text is only lower-cased)."""
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        simplified = text
    return "".join(c.lower()[:1] or c for c in simplified)


def snippet(text: str, query: ParsedQuery | None, width: int = 120) -> str:
    """A window of the text around the first query word (the start of the text without a query)."""
    text = text or ""
    if len(text) <= width:
        return text
    start = 0
    if query:
        lowered = _folded(text)
        hits = [i for i in (lowered.find(w) for w in query.highlight_words) if i >= 0]
        if hits:
            start = max(0, min(hits) - width // 4)
    end = min(len(text), start + width)
    return f"{'…' if start else ''}{text[start:end]}{'…' if end < len(text) else ''}"


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")


def matching_sentence(text: str, query: ParsedQuery | None, width: int = 160) -> str:
    """The first sentence of the text where one of the query's words occurs (a window of it when long);
    empty when none does."""
    if not text or not query:
        return ""
    words = query.highlight_words
    for sentence in _SENTENCE_END.split(text):
        lowered = to_simplified(sentence).lower()
        if sentence.strip() and any(w and w in lowered for w in words):
            return snippet(sentence.strip(), query, width)
    return ""


def highlight(text: str, query: ParsedQuery | None) -> SafeString:
    """HTML-escaped text with the query's words and phrases wrapped in <mark>."""
    if not text:
        return mark_safe("")
    if not query:
        return escape(text)
    words = [w for w in query.highlight_words if w]
    lowered = _folded(text)
    marks = [False] * len(text)
    for word in words:
        start = lowered.find(word)
        while start >= 0:
            for i in range(start, min(start + len(word), len(marks))):
                marks[i] = True
            start = lowered.find(word, start + 1)
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = escape(text[i:j])
        out.append(f"<mark>{chunk}</mark>" if marks[i] else chunk)
        i = j
    return mark_safe("".join(out))


__all__ = [
    "ParsedQuery",
    "apply_search",
    "bigrams",
    "highlight",
    "index_tokens",
    "matching_sentence",
    "parse_query",
    "plain",
    "segment",
    "snippet",
    "to_simplified",
]
