from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shiji.core.allocation import allocate

weights_strategy = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20).filter(
    lambda w: sum(w) > 0
)


@given(total=st.integers(min_value=-(10**18), max_value=10**18), weights=weights_strategy)
def test_parts_sum_to_total_and_stay_within_one_unit_of_the_exact_share(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(total * weight, weight_sum)
        assert abs(part - exact) < 1
        if weight == 0:
            assert part == 0


@given(total=st.integers(min_value=0, max_value=10**12), weights=weights_strategy)
def test_larger_weight_never_gets_less(total, weights):
    parts = allocate(total, weights)
    for i in range(len(weights)):
        for j in range(len(weights)):
            if weights[i] > weights[j]:
                assert parts[i] >= parts[j]


def test_known_splits():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate(5, [3, 7]) == [2, 3]  # remainders 0.5 vs 0.5: ties go to the earlier part
    assert allocate(0, [1, 2]) == [0, 0]


@pytest.mark.parametrize("weights", [[], [0, 0], [-1, 2]])
def test_bad_weights_are_refused(weights):
    with pytest.raises(ValueError):
        allocate(10, weights)
