"""The pair signature of the search text (proposals.pair_signature): every word of a text is covered by the
text's signature, and PostgreSQL's test of it (``Covers``) says what Python's says."""

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from proposals import search
from proposals.models import Proposal
from proposals.pair_signature import BITS, EMPTY, Covers, covering, signature
from tests.factories import ProposalFactory


def covers(row_signature: str, text: str) -> bool:
    """Whether a signature has every bit of ``text``'s pairs: what ``Covers`` tests in SQL, in Python."""
    return all(b == "1" for a, b in zip(signature(text), row_signature, strict=True) if a == "1")


TEXTS = st.text(
    alphabet=st.one_of(
        st.sampled_from("人工智能制造业数字经济新能源汽车氢能，。 \n"), st.characters(codec="utf-8")
    ),
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.data())
def test_a_signature_covers_every_piece_of_its_text(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert covers(signature(text), text[start:end])
    assert covers(signature(text, "其他"), text[start:end])


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_a_signature_is_one_bit_per_distinct_pair_and_the_same_every_time(text):
    sig = signature(text)
    assert len(sig) == BITS and set(sig) <= {"0", "1"}
    pairs = [text[i : i + 2] for i in range(len(text) - 1)]
    buckets = {(ord(a) * 2**21 + ord(b)) * 0x9E3779B97F4A7C15 % 2**64 // 2**54 for a, b in pairs}
    assert {i for i, bit in enumerate(sig) if bit == "1"} == buckets
    assert sig == signature(text)


def test_what_has_no_pair_is_covered_by_anything_and_tests_nothing():
    assert signature("", "智") == EMPTY
    assert covers(EMPTY, "智") and covers(EMPTY, "")
    assert covering("智", "") is None
    assert covering("智能") is not None


def test_a_word_with_a_pair_the_text_lacks_is_not_covered():
    text = "加快发展数字经济，推动人工智能赋能制造业"
    for word in ("数字化", "智慧城市", "氢能", "经济学"):
        assert word not in text
        assert not covers(signature(text), word), word
    for word in ("数字经济", "人工智能", "赋能制造业", "经济，推动"):
        assert covers(signature(text), word), word


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the signature is tested in SQL on PostgreSQL")
@pytest.mark.django_db
def test_postgresql_tests_the_signature_as_python_does(blank_db):
    texts = [
        "加快发展数字经济",
        "推动人工智能赋能制造业",
        "智能网联新能源汽车",
        "发展氢能产业",
        "Ａ股 5G 网络",
    ]
    proposals = [ProposalFactory(quote=t) for t in texts]
    stored = dict(Proposal.objects.values_list("pk", "search_signature"))
    plain = dict(Proposal.objects.values_list("pk", "search_plain"))
    for p in proposals:
        assert stored[p.pk] == signature(plain[p.pk])
    for word in ("数字经济", "人工智能", "新能源汽车", "氢能", "制造业", "数字化", "经济发展", "5g", "ａ股"):
        word = search.plain(word)
        in_sql = set(Proposal.objects.filter(Covers(word)).values_list("pk", flat=True))
        assert in_sql == {pk for pk, sig in stored.items() if covers(sig, word)}, word
        assert in_sql >= {pk for pk, text in plain.items() if word in text}, word
