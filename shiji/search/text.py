"""Segmentation and normalization: one behaviour for the index and for queries.

Text is NFKC-normalized and cut into script runs:

* **CJK runs** (Han and Kana together, so 手作り stays one word for Sudachi):
  - a run containing Kana, or a Han-only run in a text whose language hint is ``ja``, is
    Japanese: SudachiPy mode C words, their mode A sub-units, surface and normalized forms
    (ヴィンテージ → ビンテージ), the Han parts of mixed words (手作り → 手作), without particles,
    auxiliaries and symbols; every Han token is folded Traditional → Simplified and
    shinjitai → Simplified (売 → 卖, 古着 stays 古着);
  - any other Han-only run is Chinese: converted to Simplified with OpenCC t2s (jieba cuts
    Traditional text badly: 古著連衣裙 → 古著連/衣裙), then jieba ``cut_for_search`` with HMM and
    the market words of ``vocabulary.py``; one-character words are kept.
* **Hangul runs**: one token per run.
* **Word runs** (Latin letters and digits, and any other alphabetic script): lower-cased and
  stemmed with the Snowball English stemmer (figures → figur, 1990s kept).

Tokens never contain whitespace or punctuation, so they can be stored space-separated and fed
to FTS5 ``unicode61`` or PostgreSQL's ``simple`` configuration unchanged.

A query has no language: a Han-only run yields two alternatives (the jieba words and the
Sudachi words), and ``query_groups`` returns the combinations; a listing matches a query when it
contains every token of at least one group.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from shiji.search.hanzi import fold_chars, fold_token, to_simplified
from shiji.search.segmenters import jieba_words, sudachi_words

MAX_GROUPS = 4
MAX_COMBINATIONS = 64
# Longer "words" (a pasted hash, a run of repeated kana) are dropped from the index and the query.
MAX_TOKEN_CHARS = 64

_HAN = "\u3005-\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_KANA = "\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_SPLIT_RE = re.compile(f"([{_HAN}{_KANA}]+)|([{_HANGUL}]+)")
_KANA_RE = re.compile(f"[{_KANA}]")
_HAN_PART_RE = re.compile(f"[{_HAN}]+")
_CJK_CHAR_RE = re.compile(f"[{_HAN}{_KANA}{_HANGUL}]")
_WORD_RE = re.compile(r"[^\W_]+")
_NON_WORD_RE = re.compile(r"[\W_]+")

_stemmers = threading.local()
_T = TypeVar("_T")


def _stemmer() -> Any:
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = snowballstemmer.stemmer("english")
        _stemmers.english = stemmer
    return stemmer


@functools.lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def _is_japanese(language: str | None) -> bool:
    return bool(language) and str(language).lower().replace("_", "-").split("-")[0] == "ja"


def _pieces(text: str) -> Iterator[tuple[str, str]]:
    """``(kind, text)`` runs in order; kind is ``cjk``, ``hangul`` or ``word``."""
    text = unicodedata.normalize("NFKC", text)
    position = 0
    for match in _SPLIT_RE.finditer(text):
        for word in _WORD_RE.findall(text[position : match.start()].lower()):
            yield "word", word
        kind = "cjk" if match.group(1) else "hangul"
        for run in _WORD_RE.findall(match.group(0)):  # unassigned code points split a run
            yield kind, run
        position = match.end()
    for word in _WORD_RE.findall(text[position:].lower()):
        yield "word", word


def _chinese(run: str) -> list[str]:
    return [fold_token(word, False) for word in jieba_words(to_simplified(run)) if len(word) <= MAX_TOKEN_CHARS]


def _japanese(run: str) -> list[str]:
    tokens: list[str] = []
    for word in sudachi_words(run):
        forms = [word.surface] if word.normalized == word.surface else [word.surface, word.normalized]
        if _KANA_RE.search(word.surface):
            forms.extend(part for part in _HAN_PART_RE.findall(word.surface) if len(part) >= 2)
        for form in forms:
            for part in _WORD_RE.findall(form.lower()):
                if len(part) <= MAX_TOKEN_CHARS:
                    tokens.append(fold_token(part, True))
    return tokens


def _dedupe(tokens: Iterable[_T]) -> list[_T]:
    return list(dict.fromkeys(tokens))


def index_tokens(text: str, language: str | None) -> list[str]:
    """The normalized tokens of ``text`` (duplicates kept, in order) for the index.
    ``language`` is a hint such as ``ja``, ``zh-hans`` or ``en``; ``None`` when unknown."""
    japanese = _is_japanese(language)
    tokens: list[str] = []
    for kind, piece in _pieces(text):
        if kind != "cjk":
            if len(piece) <= MAX_TOKEN_CHARS:
                tokens.append(_stem(piece) if kind == "word" else piece)
        elif japanese or _KANA_RE.search(piece):
            tokens.extend(_japanese(piece))
        else:
            tokens.extend(_chinese(piece))
    return tokens


def _alternatives(kind: str, piece: str) -> list[list[str]]:
    if kind != "cjk":
        if len(piece) > MAX_TOKEN_CHARS:
            return []
        return [[_stem(piece) if kind == "word" else piece]]
    if _KANA_RE.search(piece):
        return [_dedupe(_japanese(piece))]
    chinese, japanese = _dedupe(_chinese(piece)), _dedupe(_japanese(piece))
    return [chinese] if set(chinese) == set(japanese) else [chinese, japanese]


def query_groups(q: str) -> list[list[str]]:
    """Alternative token groups for a query (at most ``MAX_GROUPS``): a listing matches when it
    has every token of at least one group. ``[]`` when the query has no tokens."""
    per_piece = []
    for kind, piece in _dedupe(_pieces(q)):  # a repeated word adds nothing to an AND
        alternatives = [group for group in _alternatives(kind, piece) if group]
        if alternatives:
            per_piece.append(alternatives)
    if not per_piece:
        return []
    groups: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    # Bounded: combinations can repeat the same tokens, and there are 2^(Han runs) of them.
    for combination in itertools.islice(itertools.product(*per_piece), MAX_COMBINATIONS):
        group = _dedupe(itertools.chain.from_iterable(combination))
        if frozenset(group) not in seen:
            seen.add(frozenset(group))
            groups.append(group)
            if len(groups) == MAX_GROUPS:
                break
    return groups


def plain_text(text: str) -> str:
    """Folded raw text (NFKC, lower-cased, Han folded to Simplified): the source of the per-character
    tokens that answer one-character queries."""
    return fold_chars(unicodedata.normalize("NFKC", text).lower()).replace("\x00", "")


# One-character queries match a per-character token indexed beside the words (never instead of
# them). The prefix keeps these tokens apart from every word token: Latin runs are split from
# CJK runs, so no word token can be Latin letters followed by a CJK character.
CHARACTER_TOKEN_PREFIX = "chr"  # noqa: S105 - a token prefix, not a secret  # nosec B105


def character_token(char: str) -> str:
    return CHARACTER_TOKEN_PREFIX + char


def character_tokens(plain: str) -> list[str]:
    """One token per distinct CJK character of already-folded text (see ``plain_text``)."""
    return [character_token(char) for char in sorted(set(_CJK_CHAR_RE.findall(plain)))]


def single_character(q: str) -> str | None:
    """The character a one-character CJK query asks for (after normalization), else ``None``."""
    folded = _NON_WORD_RE.sub("", plain_text(q))
    if len(folded) == 1 and _CJK_CHAR_RE.match(folded):
        return folded
    return None
