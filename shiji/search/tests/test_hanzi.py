"""The shinjitai table holds only characters OpenCC confirms: the Traditional form maps to the
Simplified one, and OpenCC leaves the shinjitai and the Simplified form alone."""

from __future__ import annotations

import pytest

from shiji.search.hanzi import SHINJITAI_TRIPLES, fold_token, to_simplified


@pytest.mark.parametrize("triple", SHINJITAI_TRIPLES)
def test_shinjitai_entry_is_confirmed_by_opencc(triple):
    shinjitai, traditional, simplified = triple
    assert len(triple) == 3
    assert to_simplified(traditional) == simplified
    assert to_simplified(simplified) == simplified
    assert to_simplified(shinjitai) == shinjitai != simplified


def test_traditional_phrases_opencc_keeps_are_folded():
    assert to_simplified("古著") == "古着"
    assert to_simplified("著名") == "著名"
    assert fold_token("駅", japanese=True) == "驿"
    assert fold_token("駅", japanese=False) == "駅"
