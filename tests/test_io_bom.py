"""UTF-8 with a byte-order mark is validated in place, like plain UTF-8, not transcoded."""
import codecs
import tracemalloc
from pathlib import Path

import pytest

from csresearch.io import InputFileError, _to_utf8


def test_bom_input_is_not_copied():
    # 24 MB of UTF-8 behind a BOM: validating it must not build a second copy of the text
    data = codecs.BOM_UTF8 + b"title,salary\n" + b"Call centre agent,30000\n" * 1_000_000
    tracemalloc.start()
    try:
        out, enc = _to_utf8(Path("x.csv"), data, None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert enc == "utf_8_sig" and out is data
    assert peak < 0.75 * len(data), peak


def test_bom_input_with_bad_bytes_is_still_rejected():
    data = codecs.BOM_UTF8 + b"title\nagent\xff\n"
    with pytest.raises(InputFileError, match="line 2"):
        _to_utf8(Path("x.csv"), data, None)
