"""record_id keys (review6): the hex form cannot fail, and the cross-source collision rule holds."""

from __future__ import annotations

import hashlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch.clean.assemble import hex_ids, record_keys

_C = 0x9E3779B97F4A7C15
_M = 1 << 64


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, _M - 1), min_size=1, max_size=50))
def test_hex_ids_are_always_16_lowercase_hex_digits(values):
    # why TableParts.failing no longer checks the hex form: it cannot fail
    ids = hex_ids(np.array(values, dtype=np.uint64))
    assert [i.decode() for i in ids] == [f"{v:016x}" for v in values]


def _key(source: str) -> int:
    return int.from_bytes(hashlib.sha256(source.encode()).digest()[:8], "big")


def test_two_sources_collide_exactly_at_the_documented_row_offset():
    a, b = _key("alpha"), _key("beta")
    offset = (b - a) * pow(_C, -1, _M) % _M  # rows r (alpha) and r - offset (beta) share a key
    rows = np.array([offset + 5, offset + 6], dtype=np.uint64)
    assert (record_keys("alpha", rows) == record_keys("beta", rows - np.uint64(offset))).all()
    near = np.arange(1, 1000, dtype=np.uint64)
    assert not np.isin(record_keys("alpha", near), record_keys("beta", near)).any()
