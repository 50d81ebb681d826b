"""The two word segmenters, loaded lazily and once per process.

* jieba (Chinese): one private ``jieba.Tokenizer`` (the global one is left alone) that also
  knows the market words of ``vocabulary.JIEBA_WORDS``; its prefix-dictionary cache goes to a
  per-user directory under the system temp dir, never into the project.
* SudachiPy with sudachidict-core (Japanese): one ``Dictionary`` per process, one tokenizer per
  thread (a SudachiPy tokenizer must not be shared between threads).

Both return raw surface tokens; folding (Traditional → Simplified, shinjitai) happens in
``shiji.search.text``.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from shiji.search.vocabulary import JIEBA_WORDS

_LOCK = threading.Lock()
_jieba: Any = None
_sudachi_dictionary: Any = None
_local = threading.local()

# Sudachi part-of-speech heads that carry no meaning for search.
SKIPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白"})
# SudachiPy refuses very long inputs; analyse long runs in pieces of this many characters.
SUDACHI_CHUNK = 2_000


class SudachiToken(NamedTuple):
    surface: str
    normalized: str


def _cache_dir() -> str:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = Path(tempfile.gettempdir()) / f"shiji-jieba-{uid}"
    path.mkdir(mode=0o700, exist_ok=True)
    return str(path)


def _jieba_tokenizer() -> Any:
    global _jieba
    if _jieba is None:
        with _LOCK:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.tmp_dir = _cache_dir()
                tokenizer.initialize()
                for word in JIEBA_WORDS:
                    tokenizer.add_word(word)
                _jieba = tokenizer
    return _jieba


def jieba_words(run: str) -> list[str]:
    """``cut_for_search`` (HMM on) of one run of Han characters."""
    return [word for word in _jieba_tokenizer().cut_for_search(run, HMM=True) if word.strip()]


def _sudachi() -> Any:
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        global _sudachi_dictionary
        with _LOCK:
            if _sudachi_dictionary is None:
                from sudachipy import Dictionary

                _sudachi_dictionary = Dictionary(dict="core")
            dictionary = _sudachi_dictionary
        from sudachipy import SplitMode

        tokenizer = dictionary.tokenizer(mode=SplitMode.C)
        _local.tokenizer = tokenizer
        _local.mode_a = SplitMode.A
    return tokenizer


def sudachi_words(run: str) -> Iterator[SudachiToken]:
    """Mode C words of one Han/Kana run, each followed by its mode A sub-units when it has
    several (古着屋 → 古着屋, 古着, 屋), skipping particles, auxiliaries and symbols."""
    tokenizer = _sudachi()
    mode_a = _local.mode_a
    for start in range(0, len(run), SUDACHI_CHUNK):
        for morpheme in tokenizer.tokenize(run[start : start + SUDACHI_CHUNK]):
            if morpheme.part_of_speech()[0] in SKIPPED_POS:
                continue
            yield SudachiToken(morpheme.surface(), morpheme.normalized_form())
            units = morpheme.split(mode_a)
            if len(units) > 1:
                for unit in units:
                    if unit.part_of_speech()[0] not in SKIPPED_POS:
                        yield SudachiToken(unit.surface(), unit.normalized_form())
