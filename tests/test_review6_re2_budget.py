"""RE2 sets cannot silently miss for lack of memory (review6).

``RE2::Set::Match`` reports a DFA failure only as "no match", and the Python binding passes no
error out, so a budget that ran out mid-search would read as "no hits". In the RE2 this project
uses it cannot: a set's DFA flushes its state cache and goes on instead of bailing out, and a
budget too small for the DFA to start makes ``Compile()`` fail (RE2's ``CompileSet`` test-runs
the DFA). Both halves are tested here on the project's own sets: at the smallest budget that
compiles (a state cache flushed over and over), every text gets the hits it gets at the
configured budget, and below it ``Compile()`` raises.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

re2 = pytest.importorskip("re2")

from csresearch.clean import _screen, description  # noqa: E402
from csresearch.clean._screen import Screen, substring_hits  # noqa: E402
from csresearch.clean.roles_model import labelled_title_files  # noqa: E402
from csresearch.io import project_root  # noqa: E402


def _compile(patterns: list[str], budget: int):
    options = re2.Options()
    options.max_mem = budget
    matcher = re2.Set.SearchSet(options)
    for p in patterns:
        matcher.Add(p)
    matcher.Compile()
    return matcher


def _budget_edge(patterns: list[str]) -> tuple[int, int]:
    """A max_mem at which the set fails to compile and one at most 64 KiB above at which it compiles."""
    lo, hi = 4 << 10, 64 << 20
    _compile(patterns, hi)
    with pytest.raises(re2.error):
        _compile(patterns, lo)
    while hi - lo > 64 << 10:
        mid = (lo + hi) // 2
        try:
            _compile(patterns, mid)
            hi = mid
        except re2.error:
            lo = mid
    return lo, hi


def _postings() -> list[str]:
    post = pd.read_csv(project_root() / "data" / "labelled" / "role_postings.csv")
    return post["description"].dropna().astype(str).tolist()


def test_description_set_gives_the_same_hits_at_the_smallest_budget():
    r = description._reader()
    patterns = [e.pattern.pattern for e in r.entries]
    fails, least = _budget_edge(patterns)
    assert least < description._SET_MEMORY
    with pytest.raises(re2.error):
        _compile(patterns, fails)
    small = _compile(patterns, least)
    texts = description.normalise_descriptions(_postings(), r.max_chars)
    rng = np.random.default_rng(0)
    # long texts (a few hundred KB in all) make the small cache flush many times within one text
    texts += [b" ".join(rng.choice(np.array(texts, dtype=object), 40)) for _ in range(8)]
    got = [sorted(small.Match(t) or ()) for t in texts]
    want = [sorted(r.matcher.Match(t) or ()) for t in texts]
    assert sum(map(bool, want)) > 0.5 * len(texts)
    assert got == want


def test_title_literal_sets_give_the_same_hits_at_the_smallest_budget(monkeypatch):
    from csresearch.clean import roles

    eng = roles._engine(roles._lexicon())
    screens = [*eng.vetoes.values(), eng.functions, *eng.cues.values(), *eng.levels.values()]
    sets = list(dict.fromkeys(lits for s in screens for lits in s.literals if lits is not None))
    assert len(sets) > 50
    titles = pd.concat([pd.read_csv(f)["title"] for f in labelled_title_files(project_root())]).dropna().astype(str)
    titles = [t.casefold() for t in titles.drop_duplicates()]
    titles += [" ".join(titles[i:i + 400]) for i in range(0, 2000, 400)]  # long texts: many flushes
    want = substring_hits(titles)  # one Arrow pass per set, no RE2 set
    fails, least = _budget_edge([_screen._alternation(s) for s in sets])
    monkeypatch.setattr(_screen, "_SET_MEMORY", least)
    got = substring_hits(titles, sets)
    assert sum(int(want(s).sum()) for s in sets) > 0
    for s in sets:
        assert got(s).tolist() == want(s).tolist(), sorted(s)
    monkeypatch.setattr(_screen, "_SET_MEMORY", fails)
    with pytest.raises(re2.error):
        substring_hits(titles, sets)
