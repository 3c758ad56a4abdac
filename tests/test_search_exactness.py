"""The search's index conditions only narrow candidates: whatever the index says, a CJK word or a phrase
matches exactly the proposals whose text holds it verbatim (after simplification), on both backends.
Hypothesis draws texts and query words from a small alphabet so that words occur, occur split, and occur
as scattered bigrams."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals import search
from proposals.indexing import reindex_proposals
from proposals.models import Proposal
from tests.factories import ProposalFactory

pytestmark = pytest.mark.usefixtures("blank_db")

ALPHABET = "人工智能制造业发展氢"
texts = st.lists(st.text(alphabet=ALPHABET, min_size=2, max_size=30), min_size=1, max_size=5)
words = st.text(alphabet=ALPHABET, min_size=2, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=texts, word=words, quoted=st.booleans())
def test_a_cjk_word_or_phrase_matches_exactly_the_texts_that_hold_it(titles, word, quoted):
    made = [ProposalFactory(title=title, quote="") for title in titles]
    reindex_proposals([p.pk for p in made])
    query = f"“{word}”" if quoted else word
    parsed = search.parse_query(query, variants=False)
    found = set(
        Proposal.objects.filter(pk__in=[p.pk for p in made]).search(parsed).values_list("pk", flat=True)
    )
    # what the reader asked for: every word of the query (or the phrase) in the text
    needles = parsed.phrases + [t.word for t in parsed.terms]
    expected = {p.pk for p in made if all(n in search.plain(p.title) for n in needles)}
    assert found == expected, (titles, query, needles)
    Proposal.objects.filter(pk__in=[p.pk for p in made]).delete()
