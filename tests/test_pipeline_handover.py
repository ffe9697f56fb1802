"""A frame handed over to clean_survey (no reference kept by the caller) is freed while it cleans."""

from __future__ import annotations

import gc
import weakref

import pandas as pd

from csresearch.clean.pipeline import clean_survey, default_steps


def _raw() -> pd.DataFrame:
    return pd.DataFrame({"title": ["客服专员", "客服主管", "销售"], "salary_text": ["6-8千/月", "1-1.5万/月", "面议"],
                         "city": ["上海", "杭州", "北京"]})


def test_handed_over_frame_is_freed_before_the_later_steps():
    frames = [_raw()]
    ref = weakref.ref(frames[0])
    seen = []
    experience = default_steps()["experience"]

    def watching(texts):
        gc.collect()
        seen.append(ref() is None)
        return experience(texts)

    res = clean_survey(frames.pop(), source="demo", country="CN", year=2024, steps={"experience": watching})
    assert seen == [True]  # freed before the experience step ran
    assert res.manifest["rows_in"] == 3


def test_a_frame_the_caller_keeps_is_left_alone():
    df = _raw()
    before = df.copy()
    res = clean_survey(df, source="demo", country="CN", year=2024)
    pd.testing.assert_frame_equal(df, before)  # nothing of the caller's frame is changed
    assert res.manifest["rows_in"] == len(df)
