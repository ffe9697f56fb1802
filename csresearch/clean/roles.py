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
from operator import attrgetter, itemgetter
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReferenceDataError
from ._screen import Screen, first_chars, may_match, substring_hits
from ._text import (apply_distinct, as_text_series, basic_normalise, compile_pattern, fix_homoglyphs, load_yaml,
                    simplify_chinese)

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

#: family ("cues", "vetoes", "functions", "levels") -> the patterns that may match one title
_Select = Callable[[str], list[Any]]

_CJK = re.compile(r"[\u3400-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\]]*\]|【[^】]*】|<[^>]*>")
# Where one title lists several jobs ("客服专员/主管", "A, B"), cues in
# different parts that disagree make the level ambiguous.
_SEGMENT_SPLIT = re.compile(r"/|\\|\||;|,|，|、|\+|&| или | or | oder | ou ")
# English and Russian do not list jobs by every "&": there a conjunction is read by what it joins
# (:func:`_conjunctions`), so "&" splits only the other languages' titles here.
_SEGMENT_SPLIT_EN_RU = re.compile(r"/|\\|\||;|,|，|、|\+| или | or ")


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
    vetoes: tuple[tuple[re.Pattern[str], str, bool, frozenset[str] | None], ...]  # (pattern, reason, whole title?, langs)
    functions: tuple[tuple[str, re.Pattern[str]], ...]
    levels: tuple[_LevelCue, ...]
    language_cues: tuple[tuple[str, re.Pattern[str]], ...]
    homoglyphs: dict[str, str]
    negations: tuple[re.Pattern[str], ...] = ()
    deputy: re.Pattern[str] | None = None


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
        vetoes = []
        for v in raw["vetoes"]:
            scope = v.get("scope", "title")
            if scope not in ("title", "part"):
                raise ReferenceDataError(f"veto scope must be 'title' or 'part', got {scope!r} in {where}:vetoes")
            vetoes.append((compile_pattern(v["pattern"], f"{where}:vetoes"), str(v["reason"]), scope == "title",
                           _langs(v.get("lang"), f"{where}:vetoes")))
        vetoes = tuple(vetoes)
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
        deputy = compile_pattern(raw["deputy"], f"{where}:deputy") if raw.get("deputy") else None
    except (KeyError, TypeError) as exc:
        raise ReferenceDataError(f"{where} is missing or malforms the entry {exc}") from exc
    return _Lexicon(noise, cues, vetoes, tuple(functions), tuple(levels), lang_cues, homoglyphs, negations, deputy)


@dataclass(frozen=True)
class _Engine:
    """The lexicon's patterns behind character screens (:class:`._screen.Screen`), per language.

    A pattern is run on a title only when the title holds a character its matches can start
    with; skipping the others gives the same answer for a fraction of the calls.
    """

    noise: Screen
    cues: dict[str, Screen]
    vetoes: dict[str, Screen]
    functions: Screen
    levels: dict[str, Screen]
    negations: Screen
    deputy: frozenset[str] | None


_ENGINES: dict[int, tuple[_Lexicon, _Engine]] = {}


def _engine(lex: _Lexicon) -> _Engine:
    hit = _ENGINES.get(id(lex))
    if hit is not None and hit[0] is lex:
        return hit[1]
    first = itemgetter(0)
    eng = _Engine(
        noise=Screen(lex.noise),
        cues={lang: Screen(p for p, langs in lex.cues if langs is None or lang in langs) for lang in LANGUAGES},
        vetoes={lang: Screen(((p, r, w) for p, r, w, langs in lex.vetoes if langs is None or lang in langs), first)
                for lang in LANGUAGES},
        functions=Screen(lex.functions, itemgetter(1)),
        levels={lang: Screen((c for c in lex.levels if c.langs is None or lang in c.langs),
                             attrgetter("pattern")) for lang in LANGUAGES},
        negations=Screen(lex.negations),
        deputy=first_chars(lex.deputy) if lex.deputy is not None else None,
    )
    _ENGINES[id(lex)] = (lex, eng)
    return eng


_SPACE_RUNS = re.compile(r"\s+")


def _strip_noise(text: str, lex: _Lexicon) -> str:
    # each sub only adds spaces, so the text's characters plus a space screen every pattern
    for pat in _engine(lex).noise.select({*text, " "}):
        text = pat.sub(" ", text)
    return _SPACE_RUNS.sub(" ", text).strip()


def _prepare(title: str, lex: _Lexicon) -> str:
    """Normalise without removing markers (they tell the language: (m/w/d), (h/f))."""
    return fix_homoglyphs(simplify_chinese(basic_normalise(title)), lex.homoglyphs)


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


def _level(text: str, lang: str, lex: _Lexicon, skip: frozenset[int] = frozenset(),
           layout: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
           select: _Select | None = None) -> tuple[int | None, str | None, float, str]:
    """Seniority of a CS title: (level or None when ambiguous, track override, best weight, cue text).

    Cues in the listed jobs ``skip`` (another profession's, "教务主管/…/客服") are not read.
    ``layout`` is :func:`_layout` and ``select`` the title's screen when the caller has them.
    """
    outside, segments = (layout if layout is not None else _layout(text, lang))[:2]
    select = select or _char_select(_engine(lex), lang, text, text)
    hits: list[tuple[float, int, str | None, int, str]] = []
    for cue in select("levels"):
        for m in cue.pattern.finditer(text):
            if segments[m.start()] in skip:
                continue
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


_JOB_NOUN = (r"agent|clerk|officer|analyst|assistant|manager|leader|lead|head|operator|coach|support|"
             r"salesperson|representative|technician|engineer|consultant|adviser|advisor|attendant|"
             r"supervisor|specialist|executive|cashier|collector|interviewer|telephonist|receptionist|"
             r"director|controller|coordinator|co-ordinator|counsellor|counselor|trainer|teller|worker|"
             r"associate|administrator|dispatcher|handler|monitor|instructor|salesman|saleswoman|"
             r"inspector|staff")

# A conjunction ("and", "&", "и") lists two jobs only between two job nouns: "Receptionist and
# Customer Service Representative", "Оператор call-центра и менеджер по продажам". Between two
# modifiers of one head noun it joins the job's duties: "Customer Service and Support Specialist",
# "Руководитель отдела поддержки и внедрения" name one job. English puts the head noun last, so the
# left conjunct must end in a job noun; Russian puts it first, so the right one must start with one
# (nominative: "и отдела внедрения" is a genitive modifier). "R&D", "C&B" are abbreviations.
_CONJUNCTION = {"en": re.compile(r"\s+and\s+|\s*&\s*"), "ru": re.compile(r"\s+(?:и|and)\s+|\s*&\s*")}
_ABBREVIATION_AMP = re.compile(r"(?<![^\W\d_])[^\W\d_]\s*&\s*[^\W\d_](?![^\W\d_])")
# English agent nouns: the job nouns but "support", which in English also names a department
_AGENT_NOUNS_EN = "|".join(n for n in _JOB_NOUN.split("|") if n != "support") + "|rep|csr|tsr|receptionist|concierge"
_AGENT_NOUN_EN = re.compile(rf"\b({_AGENT_NOUNS_EN})s?\.?\s*$")
_AGENT_NOUN_RU = re.compile(
    r"(\w+(?:ый|ий|ой|ая|яя) )?(оператор|специалист|менеджер|консультант|администратор|инженер|руководитель|"
    r"начальник|директор|кассир|продавец|бухгалтер|секретарь|курьер|водитель|диспетчер|аналитик|программист|"
    r"разработчик|тестировщик|юрист|экономист|маркетолог|рекрутер|координатор|эксперт|сотрудник|помощник|"
    r"ассистент|супервайзер|тимлид|преподаватель|переводчик|кладовщик|официант|бариста|агент|представитель)\b")


# An English comma part without a job noun of its own names the team, place or product of the job
# before it ("Senior Backend Engineer, Customer Experience", "CSR, Makati"), not a second job:
# "support", "service" and the like are department names there, not jobs.
# The job nouns are the list's and the agent-noun endings' (operative, therapist, technician).
_JOB_NOUN_ANYWHERE_EN = re.compile(rf"\b({_AGENT_NOUNS_EN}|nurse|driver|guard|\w+(?:ist|ician|eer|tor|sor|ative))s?\b")


# ... except after a bare job noun, the index's inverted "Analyst, application support" (_uninvert)
_BARE_JOB_NOUN_EN = re.compile(rf"^\s*({_JOB_NOUN})s?\s*$")


def _names_no_job(before: str, segment: str) -> bool:
    return (_JOB_NOUN_ANYWHERE_EN.search(_BRACKETS.sub(" ", segment)) is None
            and _BARE_JOB_NOUN_EN.match(before) is None)


def _layout(text: str, language: str = "zh") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per character: outside any bracket, which listed job, which bracket (0 = main text), which conjunct.

    Jobs are split at "/", ",", "、", " or " ... outside brackets; a bracket qualifies the job it
    follows ("客服专员(前台)"), so it shares that job's number and gets its own bracket number.
    In English and Russian a conjunction splits only where it joins two job nouns (``_CONJUNCTION``);
    elsewhere it starts a new conjunct of the same job (the last array: a running count of those
    conjunctions, so two characters of one job share a conjunct when the count is equal).
    """
    outside = _outside_brackets(text)
    part = np.zeros(len(text) + 1, dtype=int)
    conj = np.zeros(len(text) + 1, dtype=int)
    conjunction = _CONJUNCTION.get(language)
    splits = [m for m in (_SEGMENT_SPLIT if conjunction is None else _SEGMENT_SPLIT_EN_RU).finditer(text)
              if outside[m.start()]]
    for i, m in enumerate(splits):
        if language == "en" and m.group(0) == "," and _names_no_job(
                text[splits[i - 1].end() if i else 0:m.start()],
                text[m.end():splits[i + 1].start() if i + 1 < len(splits) else len(text)]):
            continue
        part[m.end():] += 1
    if conjunction is not None:
        for m in conjunction.finditer(text):
            if not outside[m.start()] or ("&" in m.group(0) and _ABBREVIATION_AMP.match(text, max(m.start() - 1, 0))):
                continue
            start = int(np.searchsorted(part[:len(text)], part[m.start()], side="left"))
            if language == "en":
                listed = _AGENT_NOUN_EN.search(_BRACKETS.sub(" ", text[start:m.start()]).strip(" -")) is not None
            else:
                listed = _AGENT_NOUN_RU.match(text, m.end()) is not None
            if listed:
                part[m.end():] += 1
            else:
                conj[m.end():] += 1
    bracket = np.zeros(len(text) + 1, dtype=int)
    for k, m in enumerate(_BRACKETS.finditer(text), start=1):
        bracket[m.start():m.end()] = k
    return outside, part, bracket, conj


# A complete CS job named by its head noun ("Customer Service Representative", "CSR", "Patient
# Access Rep", "Technical Support Assistant"), ending the job's own words: only a rung marker, a
# dash qualifier, a bracket or the end may follow. A place or another trade's word that merely
# modifies it ("Front Desk CSR", "Patient Access Rep - Emergency") names where the CS job is done.
_CS_HEAD_EN = re.compile(
    r"(?:\b(?:customer|client|patient|member|consumer|subscriber|policyholder)s?"
    r"(?: (?:service|services|support|care|access|experience|relations|contact|account))?"
    r"|\b(?:technical|tech|it|desktop|application|product|user) support|\bhelp ?desk|\b(?:call|contact) cent(?:re|er))"
    r" (?:representative|rep|agent|advisor|adviser|associate|specialist|officer|assistant|coordinator|co-ordinator|"
    r"executive|consultant|analyst)s?\.?|\b[ct]srs?\b")
_AFTER_HEAD_EN = re.compile(r"\s*(?:\b(?:i{1,3}|iv|[1-3])\b)?\s*(?:$|[-–(\[|])")
# vetoes whose word after the head, in its dash qualifier, names the department the CS job serves
# ("Patient Access Rep - Emergency"); before the head only the desk it sits at (reception) yields:
# "Loss Prevention Customer Service Associate" is a store detective (O*NET security guards).
# Field, care and selling words name the head's own trade and always strike.
_MODIFIER_VETOES = frozenset({"reception", "other_profession"})
# ... unless the qualifier names a job of its own: "Customer Service Specialist - Teller" is the
# teller (a dash in apposition names the actual job)
_QUALIFIER_JOB = re.compile(rf"\b({_JOB_NOUN}|receptionist|concierge|nurse|driver|guard)s?\b")


def _part_end(part: np.ndarray, k: int, n: int) -> int:
    """End (exclusive) of listed job ``k``'s characters in a text of length ``n``."""
    return int(np.searchsorted(part[:n], k, side="right"))


def _cs_heads(text: str, part: np.ndarray) -> dict[int, tuple[int, int]]:
    """Listed job -> the span of the complete CS head noun phrase that ends its words (English)."""
    out: dict[int, tuple[int, int]] = {}
    for m in _CS_HEAD_EN.finditer(text):
        k = int(part[m.start()])
        rest = _AFTER_HEAD_EN.match(text, m.end())
        if rest is not None and (rest.end() == len(text) or part[rest.end() - 1] == k):
            out[k] = (m.start(), m.end())
    return out


def _cue_and_veto(text: str, veto_text: str, language: str, lex: _Lexicon, select: _Select | None = None,
                  ) -> tuple[re.Match[str] | None, str | None, frozenset[int],
                             tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None]:
    """The CS cue that stands and the veto that overrules, per the multi-job rule.

    A selling veto (sales, collections, renewals, ...) anywhere makes the posting a selling job.
    A profession veto (engineer, receptionist, analyst, ...) removes only the listed job it sits
    in (and that job's brackets): "Системный администратор, инженер технической поддержки" and
    "Customer Service/Teller" list a CS job beside another one and stay CS; "前台客服" does not.
    Within one job whose duties are joined by a conjunction (:func:`_layout`), a profession veto in
    a conjunct that does not hold the head noun removes only that duty ("Руководитель отдела
    поддержки и внедрения"); in the head's conjunct it removes the job ("Customer Service and Field
    Technician"). In English a complete CS head noun phrase ending the job ("Front Desk CSR")
    is not removed by a place or profession veto that only modifies it (``_MODIFIER_VETOES``).
    Returns the cue, the veto (None when the cue stands), the listed jobs a veto removed and the
    title's :func:`_layout` (None when there is no cue).
    """
    select = select or _char_select(_engine(lex), language, text, veto_text)
    cues = [m for p in select("cues") for m in p.finditer(text)]
    if not cues:
        return None, None, frozenset(), None
    layout = _layout(text, language)
    _, part, bracket, conj = layout
    heads = _cs_heads(text, part) if language == "en" else {}
    conj_bounds: dict[int, tuple[int, int]] = {}  # listed job -> (first, last) conjunct; none when no conjunction
    if conj[len(text)] > 0:
        for k in np.unique(part[:len(text)]):
            c = conj[:len(text)][part[:len(text)] == k]
            conj_bounds[int(k)] = (int(c.min()), int(c.max()))
    vetoed: dict[tuple[int, int, int], str] = {}  # (listed job, conjunct or -1 = all, bracket) -> why
    for p, reason, whole in select("vetoes"):
        for m in p.finditer(veto_text):
            why = f"veto={reason}:{m.group(0)}"
            if whole:
                return cues[0], why, frozenset(), layout
            k, b, c = int(part[m.start()]), int(bracket[m.start()]), int(conj[m.start()])
            head = heads.get(k)
            if head is not None and b == 0 and (
                    (reason == "reception" and m.end() <= head[0])  # the desk it sits at: "Front Desk CSR"
                    or (reason in _MODIFIER_VETOES and m.start() >= head[1]  # its department: "… Rep - Emergency"
                        and not _QUALIFIER_JOB.search(text, head[1], _part_end(part, k, len(text))))):
                continue
            lo, hi = conj_bounds.get(k, (c, c))
            if (hi if language == "en" else lo) in (c, int(conj[max(m.end() - 1, m.start())])):
                c = -1  # a veto reaching the head noun's conjunct: the whole job
            vetoed.setdefault((k, c, b), why)
    gone_conj = {(k, c) for k, c, b in vetoed if b == 0}

    def stands(m: re.Match[str]) -> bool:
        k, c, b = int(part[m.start()]), int(conj[m.start()]), int(bracket[m.start()])
        return ((k, -1) not in gone_conj and (k, c) not in gone_conj
                and (k, -1, b) not in vetoed and (k, c, b) not in vetoed)

    standing = [m for m in cues if stands(m)]
    cue_parts = {int(part[m.start()]) for m in standing}
    gone = frozenset(k for k, c in gone_conj if k not in cue_parts)
    if standing:
        return standing[0], None, gone, layout
    first_cue = cues[0]
    k, c, b = int(part[first_cue.start()]), int(conj[first_cue.start()]), int(bracket[first_cue.start()])
    why = next((vetoed[key] for key in ((k, c, b), (k, -1, b), (k, c, 0), (k, -1, 0)) if key in vetoed),
               None) or next(iter(vetoed.values()))
    return first_cue, why, gone, layout


def _classify_one(prepared: str, lang: str | None, lex: _Lexicon) -> tuple:
    """(is_cs, level, track, function, confidence, language, evidence) for one prepared title.

    ``evidence`` names the rule that decided: ``cue=<text>``, ``veto=<reason>:<text>``,
    ``no_cue``; for CS titles also ``level=<cue text>`` (``level=default`` when none).
    """
    return _classify_text(_strip_noise(prepared, lex), lang or _detect_language(prepared, lex), lex)


def _char_select(eng: _Engine, language: str, text: str, veto_text: str) -> _Select:
    """The patterns of each family that may match one title, by its characters (:class:`Screen`)."""
    chars = set(text)
    veto_chars = chars if veto_text is text else set(veto_text)
    screens = {"cues": eng.cues[language], "levels": eng.levels[language], "functions": eng.functions}

    def select(family: str) -> list[Any]:
        return eng.vetoes[language].select(veto_chars) if family == "vetoes" else screens[family].select(chars)

    return select


# Occupation indexes (ISCO-08, SOC, ANZSCO, NOC alphabetical indexes) write a title inverted,
# head noun first: "Operator, call centre: cold calling", "Leader, team: call centre". The head
# is ONE job noun; what follows the comma qualifies it and does not itself end in a job noun
# (else "Receptionist, Customer Service Agent" lists two jobs). The index does not fix the order
# of its two qualifiers ("Analyst, desktop: support" = desktop support analyst, "Leader, team:
# call centre" = call centre team leader), so both orders are read, as two listed readings.
_INVERTED = re.compile(rf"^({_JOB_NOUN}), ([^,:/|;&+]+?)(?: ?: ?([^,:/|;&+]+))?$")
_ENDS_IN_JOB_NOUN = re.compile(rf"\b({_JOB_NOUN})s?\s*(\([^()]*\))?$")


def _uninvert(text: str) -> str:
    """Read an index-style inverted English title ("head, q1[: q2]") in title order."""
    if "," not in text:
        return text
    m = _INVERTED.match(text)
    # "Head, q1" may list two jobs ("Manager, Customer Support"), but the colon form "Head, q1: q2"
    # is the index's alone: its q1 qualifies the head even when it is a job noun ("Officer,
    # support: IT" = IT support officer)
    if m is None or (not m.group(3) and _ENDS_IN_JOB_NOUN.search(m.group(2))):
        return text
    head, q1, q2 = m.group(1), m.group(2).strip(), (m.group(3) or "").strip()
    if not q2:
        return f"{q1} {head}"
    return f"{q2} {q1} {head}, {q1} {q2} {head}"


# A listed job that is a whole CS job by itself ends in its job noun ("IT Support", "Customer
# Service Officer", "客服专员"); Russian puts the noun first ("Оператор call-центра").
_WHOLE_JOB = {
    "en": re.compile(rf"\b({_JOB_NOUN}|representative|rep|csr)s?\s*$"),
    "zh": re.compile(r"(客服|专员|代表|助理|文员|坐席|座席|接线员|话务员)\s*$"),
    "ru": re.compile(r"^\s*(оператор|специалист|консультант|сотрудник|менеджер|инженер)"),
}
_LEVEL_WORDS_ONLY = re.compile(r"^[\W\d_]*$")


def _other_jobs(text: str, language: str, layout: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
                select: _Select) -> frozenset[int]:
    """Listed jobs whose rung words belong to another trade ("IT Support/Social Media Manager").

    When a title lists several jobs and one listed job with a CS cue is a whole job by itself,
    a listed job without a CS cue whose rung word comes with other words ("Social Media
    Manager") is the other job's rung, not the CS job's. A bare rung word ("客服专员/主管",
    "Agent / Team Leader") still names a second rung of the CS job (abstain, as before).
    """
    if layout is None:
        return frozenset()
    part = layout[1]
    n_parts = int(part[len(text) - 1]) + 1 if text else 1
    whole = _WHOLE_JOB.get(language)
    if n_parts < 2 or whole is None:
        return frozenset()
    bounds = [[len(text), 0] for _ in range(n_parts)]
    for i in range(len(text)):
        b = bounds[int(part[i])]
        b[0], b[1] = min(b[0], i), max(b[1], i + 1)
    segs = [text[a:b] if a < b else "" for a, b in bounds]
    cue_parts = {int(part[m.start()]) for p in select("cues") for m in p.finditer(text)}
    if not any(whole.search(_BRACKETS.sub(" ", segs[k]).strip(" -:,/")) for k in cue_parts):
        return frozenset()
    level_pats = [c.pattern for c in select("levels")]
    out = set()
    for k, seg in enumerate(segs):
        if k in cue_parts or not seg.strip():
            continue
        rest = seg
        for p in level_pats:
            rest = p.sub(" ", rest)
        if rest != seg and not _LEVEL_WORDS_ONLY.match(rest):
            out.add(k)
    return frozenset(out)


def _classify_text(text: str, language: str, lex: _Lexicon, select: _Select | None = None) -> tuple:
    """:func:`_classify_one` of a title already stripped of noise, in a known language.

    Everything the rules decide follows from these two, so titles that differ only in noise
    (gender markers, reference numbers) share one verdict. ``select`` (family -> the patterns
    that may match this title; :func:`_classify_texts`) screens the patterns; by default the
    title's characters do.
    """
    eng = _engine(lex)
    if language == "en":
        uninverted = _uninvert(text)
        if uninverted is not text:  # new word order: the screens of the old text no longer apply
            text, select = uninverted, None
    chars = set(text)
    # "без продаж" denies the selling the sales veto looks for (blanked, so positions hold)
    veto_text = text
    for neg in eng.negations.select(chars | {" "}):  # blanking adds spaces: screened with them
        blanked = neg.sub(lambda m: " " * len(m.group(0)), veto_text)
        if blanked != veto_text:
            veto_text = blanked
    if select is None or veto_text is not text:  # a screen made for the text, not for this veto text
        select = _char_select(eng, language, text, veto_text)
    cue_m, veto, gone, layout = _cue_and_veto(text, veto_text, language, lex, select)
    if cue_m is None or veto is not None:
        # a vetoed cue ("客服销售") is a judgement call; an absent cue is not
        conf = 0.75 if cue_m is not None else 0.9
        return False, None, None, None, conf, language, veto or "no_cue"
    function = next((f for f, p in select("functions") if p.search(text)), "general")
    gone = gone | _other_jobs(text, language, layout, select)
    level, track, weight, level_text = _level(text, language, lex, gone, layout, select)
    # a deputy takes the rung of the post deputised, a guess (LADDER.md): marked, lower confidence
    deputy = (lex.deputy is not None and level is not None and level >= 3 and may_match(eng.deputy, chars)
              and lex.deputy.search(text) is not None)
    evidence = f"cue={cue_m.group(0)};{'deputy;' if deputy else ''}level={level_text or 'default'}"
    if level is None:
        return True, None, None, function, 0.6, language, evidence
    if track is None:
        track = "management" if level >= 3 else "individual"
    conf = DEPUTY_CONFIDENCE if deputy else 0.95 if weight > 0 else 0.85  # no seniority word: level 1
    return True, level, track, function, conf, language, evidence


def _classify_texts(keys: list[tuple[str, str]], lex: _Lexicon) -> list[tuple]:
    """:func:`_classify_text` of many (language, text) pairs, screened all at once.

    Each pattern is run only on the titles holding one of the literals its matches must contain
    (:func:`._screen.required_literals`); which titles hold which literal is one Arrow
    substring search per literal over all titles.
    """
    if not keys:
        return []
    eng = _engine(lex)
    langs = {lang for lang, _ in keys}
    screens = [eng.functions, *(s[x] for s in (eng.vetoes, eng.cues, eng.levels) for x in langs)]
    hits = substring_hits((t for _, t in keys), [lits for s in screens for lits in s.literals])
    n = len(keys)
    shared = {"functions": (eng.functions, eng.functions.matrix(hits, n))}
    per_lang = {lang: {family: (by_lang[lang], by_lang[lang].matrix(hits, n))
                       for family, by_lang in (("vetoes", eng.vetoes), ("cues", eng.cues), ("levels", eng.levels))}
                for lang in langs}
    out = []
    for i, (lang, text) in enumerate(keys):
        families = {**shared, **per_lang[lang]}

        def select(family: str, i: int = i, families: dict = families) -> list[Any]:
            screen, mat = families[family]
            return screen.pick(mat[i])

        out.append(_classify_text(text, lang, lex, select))
    return out


#: Confidence of a deputy's rung (the deputised post's rung is only the best guess); below
#: ``role_classifier.REVIEW_THRESHOLD``, so deputies are flagged for review.
DEPUTY_CONFIDENCE = 0.7
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
    keys: dict[tuple[str, str], int] = {}
    key_of = []
    for raw in uniques:
        # distinct raw titles first, then distinct (language, title without noise): the
        # verdict is a function of that pair (_classify_text), and both repeat heavily
        prepared = _prepare(raw[:MAX_TITLE_CHARS], lex)
        key = (language or _detect_language(prepared, lex), _strip_noise(prepared, lex))
        key_of.append(keys.setdefault(key, len(keys)))
    verdicts = [(*v, text) for v, (_, text) in zip(_classify_texts(list(keys), lex), keys)]
    rows = [verdicts[k] for k in key_of]
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
    functions = _engine(lex).functions

    def one(t: str) -> str:
        return next((f for f, p in functions.select(set(t)) if p.search(t)), "general")

    return np.array([one(t) for t in texts], dtype=object)
