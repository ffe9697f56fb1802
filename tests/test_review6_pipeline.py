"""Inputs the pipeline should survive (review6 found these failing; fixed by reading lone surrogates as U+FFFD).

``factorize_text`` promises that no cell raises (lone surrogates are replaced by U+FFFD), and
``parse_salaries`` and ``read_descriptions`` read such text, but ``clean_survey`` on a frame
holding one lone surrogate in any text column raises ``UnicodeEncodeError`` in the row checks
(``checks._repeated_header``: ``cells.values.astype("str")`` builds an Arrow string array).
Text read from files by ``read_table`` is valid UTF-8, so this needs an in-memory frame (text
decoded with ``errors="surrogateescape"``, for instance).
"""

from __future__ import annotations

import pandas as pd
import pytest

from csresearch.clean.pipeline import clean_survey


@pytest.mark.parametrize("column", ["title", "salary_text", "city", "description"])
def test_a_lone_surrogate_in_a_text_column_does_not_raise(column):
    cols = {"title": ["客服专员", "客服专员"], "salary_text": ["6-8千/月", "6-8千/月"], "city": ["上海", "上海"],
            "description": ["负责接听客户来电", "负责接听客户来电"]}
    cols[column][0] += "\ud800"
    raw = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})
    res = clean_survey(raw, source="demo", country="CN", year=2024)
    assert len(res.table) + len(res.rejects) == 2


def test_a_lone_surrogate_is_read_as_the_replacement_character():
    raw = pd.DataFrame({"title": pd.Series(["客服专员\ud800", "客服专员"], dtype=object),
                        "salary_text": pd.Series(["6-8千/月", "6-8千/月"], dtype=object)})
    res = clean_survey(raw, source="demo", country="CN", year=2024)
    titles = set(res.table["title"]) | set(res.rejects.get("title", pd.Series(dtype=object)).dropna())
    assert "客服专员\ufffd" in titles and not any("\ud800" in t for t in titles)
