"""The replay of CPython's set iteration order (the official pairing's ``next(iter(keys))``)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svag.eval.set_order import first_in_set_order, set_iteration_order


def _real(keys: list[int]) -> list[int]:
    s: set[int] = set()
    for k in keys:          # the official code adds one key at a time (eval.py, keys.add(k))
        s.add(k)
    return list(s)


@pytest.mark.parametrize("keys, first", [
    ([1, 8], 8), ([8, 1], 8), ([0, 8], 0), ([3, 2, 1], 1), ([9, 1], 9), ([16, 2], 16),
    ([5], 5), ([1, 1, 1], 1), ([7, 15, 23], 15),
])
def test_known_orders(keys, first):
    assert first_in_set_order(keys) == first == next(iter(_real(keys)))


# row positions in a frame: small ints, sometimes past the table size; sets that grow past 4
# elements (first resize to 32 slots) and past 18 (128 slots), keys colliding modulo the size
POSITIONS = st.lists(st.one_of(st.integers(0, 12), st.integers(0, 40), st.integers(0, 300),
                               st.integers(0, 2 ** 40)), min_size=1, max_size=80)


@settings(max_examples=500)
@given(POSITIONS)
def test_iteration_order_equals_cpython(keys):
    assert set_iteration_order(keys) == _real(keys)
    assert first_in_set_order(keys) == next(iter(_real(keys)))


@given(st.lists(st.integers(0, 7), min_size=1, max_size=30))
def test_below_table_size_the_smallest_comes_first(keys):
    assert first_in_set_order(keys) == min(keys)


def test_rejects_keys_it_cannot_replay():
    with pytest.raises(ValueError):
        set_iteration_order([-1])
    with pytest.raises(ValueError):
        first_in_set_order([])
