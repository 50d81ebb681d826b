import time

import pytest

from shiji.core.ids import looks_like_id, new_id


def test_ids_are_prefixed_opaque_and_unique():
    ids = {new_id("usr") for _ in range(5000)}
    assert len(ids) == 5000
    sample = next(iter(ids))
    assert sample.startswith("usr_") and len(sample) == 30
    assert looks_like_id(sample, "usr")
    assert not looks_like_id(sample, "ord")
    assert not sample[4:].isdigit()


def test_ids_sort_by_creation_time():
    first = new_id("ord")
    time.sleep(0.002)
    second = new_id("ord")
    assert first < second


def test_bad_prefix_is_refused():
    with pytest.raises(ValueError):
        new_id("USR")
