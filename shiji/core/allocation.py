"""Largest-remainder allocation: split an integer amount into parts that always add up."""

from __future__ import annotations

from collections.abc import Sequence


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights``.

    Each part gets the floor of its exact share; the units left over go one each to the parts
    with the largest remainders (ties to the earlier part). ``sum(result) == total`` always,
    and no part differs from its exact share by a whole unit or more. A negative total is split
    like its absolute value, then negated.
    """
    if not weights:
        raise ValueError("allocate() needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    shares = [divmod(magnitude * w, weight_sum) for w in weights]
    parts = [quotient for quotient, _ in shares]
    leftover = magnitude - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
    for index in by_remainder[:leftover]:
        parts[index] += 1
    return [sign * part for part in parts]
