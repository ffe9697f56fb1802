"""Place job titles on one customer-service career ladder.

:func:`classify_titles` decides, for Chinese, Russian, English, German and
French titles, whether the job is customer service (CS), and if so its level
(1 agent ... 6 head), track and function. The lexicon is data
(``csresearch/reference/titles.yaml``); the labelling rules it follows and its
measured accuracy are in ``csresearch/reference/sources/roles.md``.

Matching is rule based (regular expressions on a normalised title); no fuzzy
matching is used, because edit-distance matches on short titles produced more
false friends (客户经理 vs 客服经理) than they rescued typos.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReferenceDataError
from ._text import apply_distinct, as_text_series, basic_normalise, compile_pattern, fix_homoglyphs, load_yaml

__all__ = ["classify_titles", "normalise_title", "LEVEL_NAMES", "FUNCTIONS", "TRACKS"]

LEVEL_NAMES: dict[int, str] = {
    1: "agent",
    2: "senior",
    3: "team_lead",
    4: "supervisor",
    5: "manager",
    6: "head",
}
TRACKS = ("individual", "expert", "management")
FUNCTIONS = (
    "general", "pre_sales", "after_sales", "vip", "call_centre", "online_chat",
    "technical_support", "complaints", "ecommerce", "customer_success", "training_quality",
)
LANGUAGES = ("zh", "ru", "en", "de", "fr")

_CJK = re.compile(r"[\u3400-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\]]*\]|【[^】]*】|<[^>]*>")
# Where one title lists several jobs ("客服专员/主管", "A, B"), cues in
# different parts that disagree make the level ambiguous.
_SEGMENT_SPLIT = re.compile(r"/|\\|\||;|,|，|、|\+|&| или | or | oder | ou ")


@dataclass(frozen=True)
class _LevelCue:
    pattern: re.Pattern[str]
    level: int
    weight: float
    track: str | None
    langs: frozenset[str] | None  # None = any language


@dataclass(frozen=True)
class _Lexicon:
    noise: tuple[re.Pattern[str], ...]
    cues: tuple[tuple[re.Pattern[str], frozenset[str] | None], ...]
    vetoes: tuple[tuple[re.Pattern[str], str], ...]
    functions: tuple[tuple[str, re.Pattern[str]], ...]
    levels: tuple[_LevelCue, ...]
    language_cues: tuple[tuple[str, re.Pattern[str]], ...]
    homoglyphs: dict[str, str]
    negations: tuple[re.Pattern[str], ...] = ()


def _langs(value: Any, where: str) -> frozenset[str] | None:
    if value is None or value == "any":
        return None
    vals = [value] if isinstance(value, str) else list(value)
    bad = [v for v in vals if v not in LANGUAGES]
    if bad:
        raise ReferenceDataError(f"unknown language {bad} in {where}; use one of {LANGUAGES} or 'any'")
    return frozenset(vals)


@cache
def _lexicon(name: str = "titles.yaml") -> _Lexicon:
    raw = load_yaml(name)
    where = f"csresearch/reference/{name}"
    try:
        noise = tuple(compile_pattern(p, f"{where}:noise") for p in raw["noise"])
        cues = tuple(
            (compile_pattern(c["pattern"], f"{where}:cs_cues"), _langs(c.get("lang"), f"{where}:cs_cues"))
            for c in raw["cs_cues"]
        )
        vetoes = tuple((compile_pattern(v["pattern"], f"{where}:vetoes"), str(v["reason"])) for v in raw["vetoes"])
        functions = []
        for f in raw["functions"]:
            if f["function"] not in FUNCTIONS:
                raise ReferenceDataError(f"unknown function {f['function']!r} in {where}:functions")
            functions.append((f["function"], compile_pattern("|".join(f"(?:{p})" for p in f["patterns"]), where)))
        levels = []
        for c in raw["levels"]:
            level = int(c["level"])
            if level not in LEVEL_NAMES:
                raise ReferenceDataError(f"level {level} outside 1-6 in {where}:levels ({c['pattern']!r})")
            track = c.get("track")
            if track is not None and track not in TRACKS:
                raise ReferenceDataError(f"unknown track {track!r} in {where}:levels")
            levels.append(
                _LevelCue(compile_pattern(c["pattern"], f"{where}:levels"), level, float(c["weight"]), track,
                          _langs(c.get("lang"), f"{where}:levels"))
            )
        lang_cues = tuple((k, compile_pattern(v, f"{where}:language_cues")) for k, v in raw["language_cues"].items())
        homoglyphs = {str(k): str(v) for k, v in raw["homoglyphs"].items()}
        negations = tuple(compile_pattern(p, f"{where}:negations") for p in raw.get("negations", []))
    except (KeyError, TypeError) as exc:
        raise ReferenceDataError(f"{where} is missing or malforms the entry {exc}") from exc
    return _Lexicon(noise, cues, vetoes, tuple(functions), tuple(levels), lang_cues, homoglyphs, negations)


def _strip_noise(text: str, lex: _Lexicon) -> str:
    for pat in lex.noise:
        text = pat.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def _prepare(title: str, lex: _Lexicon) -> str:
    """Normalise without removing markers (they tell the language: (m/w/d), (h/f))."""
    return fix_homoglyphs(basic_normalise(title), lex.homoglyphs)


def normalise_title(title: str) -> str:
    """Return the form of ``title`` that the lexicon patterns are matched against.

    Full-width characters become half-width, case is folded, ё becomes е,
    words mixing Latin and Cyrillic look-alikes are repaired, gender markers
    ((m/w/d), (h/f), /in) and reference numbers are removed.

    Examples
    --------
    >>> normalise_title("Оператор саll-центра")
    'оператор call-центра'
    >>> normalise_title("Kundenberater/in (m/w/d)")
    'kundenberater'
    >>> normalise_title("客服专员（双休+五险一金）")
    '客服专员(双休+五险一金)'
    """
    lex = _lexicon()
    return _strip_noise(_prepare(title, lex), lex)


def _detect_language(text: str, lex: _Lexicon) -> str:
    if _CJK.search(text):
        return "zh"
    if _CYRILLIC.search(text):
        return "ru"
    for lang, pat in lex.language_cues:
        if pat.search(text):
            return lang
    return "en"


def _outside_brackets(text: str) -> np.ndarray:
    mask = np.ones(len(text) + 1, dtype=bool)
    for m in _BRACKETS.finditer(text):
        mask[m.start():m.end()] = False
    return mask


def _segment_ids(text: str) -> np.ndarray:
    seg = np.zeros(len(text) + 1, dtype=int)
    for m in _SEGMENT_SPLIT.finditer(text):
        seg[m.end():] += 1
    return seg


def _level(text: str, lang: str, lex: _Lexicon) -> tuple[int | None, str | None, float, str]:
    """Seniority of a CS title: (level or None when ambiguous, track override, best weight, cue text)."""
    outside = _outside_brackets(text)
    segments = _segment_ids(text)
    hits: list[tuple[float, int, str | None, int, str]] = []
    for cue in lex.levels:
        if cue.langs is not None and lang not in cue.langs:
            continue
        for m in cue.pattern.finditer(text):
            w = cue.weight + (0.5 if outside[m.start()] else 0.0)
            hits.append((w, cue.level, cue.track, int(segments[m.start()]), m.group(0)))
    if not hits:
        return 1, None, 0.0, ""
    best = max(h[0] for h in hits)
    top = [h for h in hits if h[0] >= best - 1e-9]
    levels = {h[1] for h in top}
    if len(levels) > 1 and len({h[3] for h in top}) > 1:
        return None, None, best, "|".join(sorted({h[4] for h in top}))  # "客服专员/主管": two jobs
    winner = max(top, key=lambda h: h[1])
    return winner[1], winner[2], best, winner[4]


def _classify_one(prepared: str, lang: str | None, lex: _Lexicon) -> tuple:
    """(is_cs, level, track, function, confidence, language, evidence) for one prepared title.

    ``evidence`` names the rule that decided: ``cue=<text>``, ``veto=<reason>:<text>``,
    ``no_cue``; for CS titles also ``level=<cue text>`` (``level=default`` when none).
    """
    language = lang or _detect_language(prepared, lex)
    text = _strip_noise(prepared, lex)
    cue_m = None
    for p, langs in lex.cues:
        if langs is None or language in langs:
            cue_m = p.search(text)
            if cue_m is not None:
                break
    # "без продаж" denies the selling the sales veto looks for
    veto_text = text
    for neg in lex.negations:
        veto_text = neg.sub(" ", veto_text)
    veto = None
    for p, reason in lex.vetoes:
        m = p.search(veto_text)
        if m is not None:
            veto = f"veto={reason}:{m.group(0)}"
            break
    if cue_m is None or veto is not None:
        # a vetoed cue ("客服销售") is a judgement call; an absent cue is not
        conf = 0.75 if cue_m is not None else 0.9
        return False, None, None, None, conf, language, veto or "no_cue"
    function = next((f for f, p in lex.functions if p.search(text)), "general")
    level, track, weight, level_text = _level(text, language, lex)
    evidence = f"cue={cue_m.group(0)};level={level_text or 'default'}"
    if level is None:
        return True, None, None, function, 0.6, language, evidence
    if track is None:
        track = "management" if level >= 3 else "individual"
    conf = 0.95 if weight > 0 else 0.85  # no seniority word: level 1 by default
    return True, level, track, function, conf, language, evidence


#: Longest title read; the rest of a longer "title" (a pasted description) is ignored.
MAX_TITLE_CHARS = 300


def rule_distinct(titles: Any, language: str | None = None) -> dict[str, np.ndarray]:
    """The rules' verdict for each DISTINCT title, plus the codes that map rows to them.

    Returns a dict of arrays: ``codes`` (one per row, -1 for missing), and per distinct title
    ``text`` (the normalised title the model reads), ``is_customer_service``, ``level``, ``track``,
    ``function``, ``confidence``, ``language``, ``evidence``, ``truncated``.
    """
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES} or None, got {language!r}")
    lex = _lexicon()
    s = as_text_series(titles)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    cache: dict[str, tuple] = {}
    rows = []
    for raw in uniques:
        # distinct raw titles first, then distinct prepared forms: both repeat heavily
        prepared = _prepare(raw[:MAX_TITLE_CHARS], lex)
        if prepared not in cache:
            cache[prepared] = (*_classify_one(prepared, language, lex), _strip_noise(prepared, lex))
        rows.append(cache[prepared])
    names = ("is_customer_service", "level", "track", "function", "confidence", "language", "evidence", "text")
    out = {"codes": codes, "index": s.index}
    for j, name in enumerate(names):
        col = np.empty(len(rows), dtype=object)
        col[:] = [r[j] for r in rows]
        out[name] = col
    out["truncated"] = np.fromiter((len(u) > MAX_TITLE_CHARS for u in uniques), bool, len(uniques))
    return out


def rule_feature_matrix(r: dict[str, np.ndarray]) -> np.ndarray:
    """Dense rule features (``roles_model.RULE_FEATURES``) of the distinct titles in ``r``."""
    cs = r["is_customer_service"].astype(bool)
    ev = r["evidence"].astype(str)
    level = np.array([0 if v is None else int(v) for v in r["level"]])
    cols = [cs, np.char.startswith(ev, "veto="), ev == "no_cue", cs & (level == 0),
            cs & np.char.endswith(ev, "level=default")]
    cols += [cs & (level == k) for k in range(1, 7)]
    cols += [r["track"] == "expert"]
    cols += [r["language"] == x for x in LANGUAGES]
    return np.column_stack(cols).astype(np.float64) if len(cs) else np.zeros((0, len(cols)))


def rule_features(titles: Any, language: str | None = None) -> tuple[list[str], np.ndarray]:
    """Per ROW: the normalised title text and the rule feature matrix (for model training)."""
    r = rule_distinct(titles, language)
    codes = r["codes"]
    if (codes < 0).any():
        raise ValueError("training titles must not be missing")
    return r["text"][codes].tolist(), rule_feature_matrix(r)[codes]


def classify_titles(titles: Any, *, language: str | None = None, method: str = "rules") -> pd.DataFrame:
    """Classify job titles as customer service and place them on the CS ladder.

    The title-only call of :func:`csresearch.classify_roles` (see there for the columns);
    ``method="rules"`` gives the lexicon's verdict alone (its ``confidence`` is a rule score,
    not a probability).

    Parameters
    ----------
    titles : Series or sequence of str
        Raw job titles in Chinese, Russian, English, German or French. Missing
        or blank titles give ``is_customer_service=False`` with confidence 0.
    language : {"zh", "ru", "en", "de", "fr"}, optional
        Language of every title. Detected per title when not given (CJK
        characters -> zh, Cyrillic -> ru, German/French cues, else en).
    method : {"rules", "combined"}
        The rules alone (default, today's seven columns), or rules plus the learned model
        (then also ``evidence`` and ``needs_review``).

    Returns
    -------
    DataFrame
        Same index as ``titles``: ``is_customer_service``, ``level`` (Int64 1-6, NA when not CS
        or ambiguous), ``level_name``, ``track``, ``function``, ``confidence``, ``language``,
        ``evidence``, ``needs_review``.

    Notes
    -----
    A CS title without a seniority word is level 1. Each distinct title is classified once and
    mapped back, so repeated titles cost nothing.

    Examples
    --------
    >>> out = classify_titles(["客服主管", "Оператор call-центра (удалённо)", "客户经理",
    ...                        "Head of Customer Service", "Teamleiter Kundenservice (m/w/d)"])
    >>> out[["is_customer_service", "level", "level_name", "language"]]
       is_customer_service  level level_name language
    0                 True      4 supervisor       zh
    1                 True      1      agent       ru
    2                False   <NA>        NaN       zh
    3                 True      6       head       en
    4                 True      3  team_lead       de
    """
    from .role_classifier import classify_roles

    out = classify_roles(titles, None, language=language, method=method)
    return out if method != "rules" else out.drop(columns=["evidence", "needs_review"])


def function_of(texts: Any) -> np.ndarray:
    """The lexicon's function for normalised CS titles (used when the model, not a cue, says CS)."""
    lex = _lexicon()
    return np.array([next((f for f, p in lex.functions if p.search(t)), "general") for t in texts], dtype=object)
