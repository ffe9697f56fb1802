"""Scrubbing with the patterns screened all at once gives what the full pattern loop gives."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from csresearch import privacy
from csresearch.io import project_root

# pieces the patterns look for, so that random texts reach them and their junctions
PIECES = ["QQ", "qq：", "微信", "vx", "WeChat", "TEL", "Tel:", "PHONE", "[PHONE]", "@", "[at]", "[dot]", ".com",
          "://", "www.", "ИНН ", "СНИЛС", "паспорт ", "Passport No. ", "身份证号：", "+7", "+86 ", "8 (", "00",
          "138", "-1234-", "5678", "0", "1", " ", "，", "(", ")", "联系人", "Mr. ", "王先生", "ext", "转"]


def _corpus() -> list[str]:
    out = []
    for name in ("pii_labelled.csv", "pii_contact_labelled.csv"):
        df = pd.read_csv(project_root() / "tests" / "data" / name)
        for col in df.columns:
            if pd.api.types.is_string_dtype(df[col]):
                out += df[col].dropna().astype(str).tolist()
    return out


def test_screened_scrub_equals_the_full_loop_on_the_labelled_texts():
    texts = _corpus()
    assert len(texts) > 100
    assert privacy._scrub_distinct(texts, 3) == [privacy._scrub_one(t, 3) for t in texts]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=12).map("".join), max_size=8),
       st.integers(1, 3))
def test_screened_scrub_equals_the_full_loop_on_random_texts(texts, passes):
    assert privacy._scrub_distinct(texts, passes) == [privacy._scrub_one(t, passes) for t in texts]
