"""Synthetic salary surveys and job postings with known truth.

Every row is made up. The generator draws each respondent's true monthly gross pay from a
log-linear model whose effects are set in ``survey_spec.yaml`` (city base, career level,
experience, education), then writes the pay the way each source's own language states it
("4.5-6千/月", "от 50 000 до 80 000 руб. на руки", "£22,000 - £25,000 per annum", ...), with
the mess real files have: open-ended ranges, negotiable pay, blanks, full-width digits, junk,
contact details in free text. The truth table keeps what was drawn, so tests and notebooks
can check the cleaning and the models against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

__all__ = ["SYNTHETIC_SOURCES", "synthetic_survey", "write_synthetic_survey", "survey_spec"]


@dataclass(frozen=True)
class _Source:
    name: str
    countries: tuple[str, ...]
    language: str
    n: int
    kind: str  # "postings" (ranges) or "survey" (one amount per respondent)
    file: str
    encoding: str
    headers: dict[str, str]


#: The synthetic sources written to ``data/raw/synthetic/``: one per country and format, each in
#: its own language, encoding and file type, as such files arrive in practice.
SYNTHETIC_SOURCES: tuple[_Source, ...] = (
    _Source("synth_cn_postings", ("CN",), "zh", 2400, "postings", "cn_postings_gbk.csv", "gbk",
            {"title": "职位名称", "company": "公司名称", "salary_text": "薪资", "city": "工作地点",
             "experience_text": "工作经验", "education_text": "学历要求", "description": "备注"}),
    _Source("synth_cn_survey", ("CN",), "zh", 700, "survey", "cn_survey.xlsx", "xlsx",
            {"title": "岗位", "salary_text": "月薪", "city": "城市", "experience_text": "工作经验",
             "education_text": "学历", "company": "公司", "description": "备注"}),
    _Source("synth_ru_postings", ("RU",), "ru", 1500, "postings", "ru_postings_cp1251.csv", "cp1251",
            {"title": "Должность", "company": "Компания", "salary_text": "Зарплата", "city": "Город",
             "experience_text": "Опыт работы", "education_text": "Образование", "description": "Комментарий"}),
    _Source("synth_gb_postings", ("GB",), "en", 900, "postings", "gb_postings.csv", "utf-8",
            {"title": "Job Title", "company": "Company", "salary_text": "Salary", "city": "Location",
             "experience_text": "Experience", "education_text": "Education", "description": "Comments"}),
    _Source("synth_us_survey", ("US",), "en", 700, "survey", "us_survey.json", "utf-8",
            {"title": "title", "company": "employer", "salary_text": "pay", "city": "metro",
             "experience_text": "experience", "education_text": "education", "description": "notes"}),
    _Source("synth_de_fr_postings", ("DE", "FR"), "de/fr", 700, "postings", "de_fr_postings.csv", "utf-8-sig",
            {"title": "title", "company": "company", "salary_text": "salary", "city": "city",
             "country": "country", "experience_text": "experience", "education_text": "education",
             "description": "comment"}),
)

_COMPANIES = {
    "zh": ["星辰电商有限公司", "华远通信服务有限公司", "云帆科技股份有限公司", "百川物流有限公司", "明德保险代理有限公司", "海纳互联网科技有限公司"],
    "ru": ["ООО Вектор", "АО Северный банк", "ООО Телеком-Сервис", "ООО Ритейл Плюс", "ПАО Связь-Регион"],
    "en": ["Northwind Retail Ltd", "Bluebell Energy plc", "Acme Telecom Inc", "Harbor Insurance LLC", "Summit Travel Group"],
    "de": ["Nordlicht Versand GmbH", "Rheinstrom AG", "Alpen Telekom GmbH"],
    "fr": ["Société Azur Services", "Banque du Littoral", "Télécom Horizon SAS"],
}

_EXPERIENCE_BANDS = {  # posting requirement bands (low, high) with each language's wording
    "zh": [(0, 0, "无需经验"), (0, np.nan, "经验不限"), (1, 3, "1-3年"), (3, 5, "3-5年"), (5, 10, "5-10年"), (10, np.nan, "10年以上")],
    "ru": [(0, 0, "нет опыта"), (1, 3, "1–3 года"), (3, 6, "3–6 лет"), (6, np.nan, "более 6 лет")],
    "en": [(0, 0, "no experience required"), (1, 2, "1-2 years"), (2, 5, "2-5 years"), (5, np.nan, "5+ years")],
    "de": [(0, 0, "keine Berufserfahrung"), (1, 3, "1-3 Jahre"), (3, np.nan, "mehr als 3 Jahre")],
    "fr": [(0, 0, "débutant accepté"), (1, 3, "1 à 3 ans"), (3, np.nan, "plus de 3 ans")],
}

_EDUCATION_TEXT = {
    "zh": {"below_high_school": "初中", "high_school": "高中", "college": "大专", "bachelor": "本科", "master": "硕士", "doctorate": "博士"},
    "ru": {"below_high_school": "основное общее", "high_school": "среднее", "college": "среднее профессиональное", "bachelor": "высшее", "master": "магистратура", "doctorate": "кандидат наук"},
    "en": {"below_high_school": "none", "high_school": "High school", "college": "College / HND", "bachelor": "Bachelor's degree", "master": "Master's degree", "doctorate": "PhD"},
    "de": {"below_high_school": "ohne Abschluss", "high_school": "Abitur", "college": "Ausbildung", "bachelor": "Bachelor", "master": "Master", "doctorate": "Promotion"},
    "fr": {"below_high_school": "sans diplôme", "high_school": "Bac", "college": "Bac+2", "bachelor": "Licence", "master": "Master", "doctorate": "Doctorat"},
}

# Made-up contact details for free-text cells (reserved/fictional number ranges and example
# domains), so the privacy scrubber has something to find.
_CONTACTS = {
    "zh": ["联系人王先生 13800138000", "简历请发 hr_recruit@example.cn", "微信: kefu_2024", "电话 021-55550123"],
    "ru": ["звоните +7 (900) 000-00-00", "резюме на hr@example.ru", "Telegram @kefu_hr_demo", "тел. 8 800 000-00-00"],
    "en": ["call 07700 900123", "apply to jobs@example.com", "phone +1 (555) 010-0199", "email hr at example dot com"],
}


@cache
def survey_spec() -> dict[str, Any]:
    """The true effects and calibration of the synthetic survey (``survey_spec.yaml``)."""
    text = resources.files("csresearch.synth").joinpath("survey_spec.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _choice(rng: np.random.Generator, options: dict, n: int) -> np.ndarray:
    keys = list(options)
    p = np.array([options[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _draw_people(src: _Source, rng: np.random.Generator) -> pd.DataFrame:
    spec = survey_spec()
    eff = spec["true_effects"]
    n = src.n
    country = (np.array(src.countries, dtype=object)[rng.integers(0, len(src.countries), n)]
               if len(src.countries) > 1 else np.full(n, src.countries[0], dtype=object))
    frames = []
    for cc in src.countries:
        idx = np.flatnonzero(country == cc)
        cities = spec["cities"][cc]["list"]
        w = np.array([c["weight"] for c in cities], dtype=float)
        pick = rng.choice(len(cities), size=len(idx), p=w / w.sum())
        # each city's own deviation from its base is part of the truth (for mixed models)
        city_dev = rng.normal(0, eff["city_effect_sd"], len(cities))
        variants = [rng.choice(np.array(cities[k]["variants"], dtype=object)) for k in pick]
        frames.append(pd.DataFrame({
            "pos": idx,
            "country": cc,
            "currency": spec["cities"][cc]["currency"],
            "city_true": [cities[k]["local"] for k in pick],
            "city_text": variants,
            "log_city_base": np.log([cities[k]["base"] for k in pick]) + city_dev[pick],
        }))
    people = pd.concat(frames).sort_values("pos").reset_index(drop=True).drop(columns="pos")

    levels = _choice(rng, spec["level_shares"], n).astype(int)
    is_cs = rng.random(n) >= spec["non_cs_share"]
    # experience grows with level: mean 0.8 years for agents, about 2 more per step
    exp_years = np.round(rng.gamma(2.0, (0.4 + 1.0 * (levels - 1)) + 0.4, n), 1)
    exp_years = np.minimum(exp_years, 35.0)
    edu = np.empty(n, dtype=object)
    for cc in src.countries:
        mask = people["country"].to_numpy() == cc
        edu[mask] = _choice(rng, spec["education_shares"][cc], int(mask.sum()))

    log_pay = (
        people["log_city_base"].to_numpy()
        + np.array([eff["log_level_premium"][lv] for lv in levels])
        + eff["experience_slope"] * np.minimum(exp_years, eff["experience_cap_years"])
        + np.array([eff["log_education_premium"][e] for e in edu])
        + rng.normal(0, eff["noise_sd"], n)
    )
    people["level"] = np.where(is_cs, levels, 0)
    people["is_customer_service"] = is_cs
    people["experience_years"] = exp_years
    people["education"] = edu
    people["true_monthly_gross"] = np.exp(log_pay).round(0)
    people["true_log_monthly"] = log_pay
    return people


def _pick_title(src: _Source, people: pd.DataFrame, rng: np.random.Generator) -> tuple[list, list]:
    spec = survey_spec()["titles"]
    titles, functions = [], []
    for cc, lv, cs in zip(people["country"], people["level"], people["is_customer_service"]):
        lang = {"CN": "zh", "RU": "ru", "DE": "de", "FR": "fr"}.get(cc, "en")
        if not cs:
            titles.append(str(rng.choice(spec[lang]["non_cs"])))
            functions.append(None)
            continue
        options = spec[lang][int(lv)]
        t, f = options[rng.integers(len(options))]
        titles.append(t)
        functions.append(f)
    return titles, functions


def _fmt_num(x: float, sep: str) -> str:
    """Whole amount with a thousands separator: 2500 -> '2.500' (DE) or '2 500' (FR)."""
    return f"{x:,.0f}".replace(",", sep)


def _render_pay(people: pd.DataFrame, src: _Source, rng: np.random.Generator) -> pd.DataFrame:
    """Write each row's pay as its source would, and record what the text truly says."""
    spec = survey_spec()
    rows = []
    for r in people.itertuples(index=False):
        true_m = float(r.true_monthly_gross)
        cc = r.country
        u = rng.random()
        out: dict[str, Any] = {"salary_text": None, "shown_low": np.nan, "shown_high": np.nan,
                               "shown_period": None, "shown_months": 12.0, "shown_basis": "unknown",
                               "shown_status": "ok"}
        if u < 0.02:
            out.update(salary_text=None, shown_status="missing")
        elif u < 0.05:
            out.update(salary_text={"CN": "面议", "RU": "договорная", "GB": "Competitive", "US": "DOE",
                                    "DE": "nach Vereinbarung", "FR": "selon profil"}[cc], shown_status="negotiable")
        elif u < 0.055:
            junk = {"CN": ["04-15", "详见面试"], "RU": ["см. описание", "15.03.2024"]}.get(cc, ["TBC", "2024-03-01"])
            out.update(salary_text=str(rng.choice(junk)), shown_status="unparsed")
        else:
            out.update(_pay_text(cc, src.kind, true_m, float(r.experience_years), rng, spec))
        rows.append(out)
    return pd.DataFrame(rows)


def _pay_text(cc: str, kind: str, m: float, exp: float, rng: np.random.Generator, spec: dict) -> dict:
    """One row's pay text. Postings give ranges (open-ended more often for experienced roles)."""
    lo = m * rng.uniform(0.82, 0.95)
    hi = m * rng.uniform(1.08, 1.30)
    open_ended = kind == "postings" and rng.random() < 0.05 + 0.04 * min(exp, 10)
    res = {"shown_period": "month", "shown_months": 12.0, "shown_basis": "unknown", "shown_status": "ok"}
    if cc == "CN":
        months = float(_choice(rng, spec["cities"]["CN"]["months_per_year_choices"], 1)[0])
        if kind == "survey":
            style = rng.integers(4)
            amount = round(m / 100) * 100
            if style == 0:
                text = f"{amount:.0f}元/月"
            elif style == 1:
                amount = round(m * spec["net_factor"]["CN"] / 100) * 100
                text, res["shown_basis"] = f"税后{amount:.0f}", "net"
                res["shown_period"] = "month"
            elif style == 2:
                amount = round(m * months / 1000) * 1000
                text = f"年薪{amount / 10000:g}万"
                res["shown_period"] = "year"
            else:
                text = f"月薪{amount:.0f}元，{months:.0f}薪" if months > 12 else f"月薪{amount:.0f}元"
                res["shown_months"] = months
            return {**res, "salary_text": text, "shown_low": amount, "shown_high": amount}
        a, b = round(lo / 500) * 500, round(hi / 500) * 500
        a, b = max(a, 500), max(b, a + 500)
        style = rng.random()
        if open_ended:
            text, b = f"{a / 1000:g}千以上", np.nan
        elif style < 0.15 and months > 12:
            text = f"{a / 1000:g}-{b / 1000:g}K·{months:.0f}薪"
            res["shown_months"] = months
        elif style < 0.22:
            ya, yb = round(a * 12 / 10000), round(b * 12 / 10000)
            yb = max(yb, ya + 1)
            text, a, b = f"{ya:g}-{yb:g}万/年", ya * 10000, yb * 10000
            res["shown_period"] = "year"
        elif style < 0.26:
            text = f"{a:.0f}-{b:.0f}元/月".translate(str.maketrans("0123456789-/", "０１２３４５６７８９－／"))
        elif b >= 10000 and style < 0.6:
            a, b = round(a / 1000) * 1000, round(b / 1000) * 1000
            text = f"{a / 10000:g}-{b / 10000:g}万/月"
        else:
            text = f"{a / 1000:g}-{b / 1000:g}千/月"
        return {**res, "salary_text": text, "shown_low": a, "shown_high": b}
    if cc == "RU":
        net = rng.random() < 0.5
        f = spec["net_factor"]["RU"] if net else 1.0
        a, b = round(lo * f / 1000) * 1000, round(hi * f / 1000) * 1000
        res["shown_basis"] = "net" if net else "gross"
        tail = "руб. на руки" if net else "руб. до вычета налогов"
        style = rng.random()
        nb = "\u00a0"
        if open_ended:
            text, b = f"от {a:,.0f} {tail}".replace(",", nb), np.nan
        elif style < 0.1:
            text, a = f"до {b:,.0f} {tail}".replace(",", nb), np.nan
        elif style < 0.3:
            text = f"{a:.0f}—{b:.0f} руб."
            res["shown_basis"] = "unknown"
        elif style < 0.4:
            text = f"з/п от {a / 1000:g} до {b / 1000:g} тыс. руб."
            res["shown_basis"] = "unknown"
        else:
            text = f"от {a:,.0f} до {b:,.0f} {tail}".replace(",", nb)
        return {**res, "salary_text": text, "shown_low": a, "shown_high": b}
    if cc in ("GB", "US"):
        sym = "£" if cc == "GB" else "$"
        hourly = rng.random() < (0.25 if cc == "GB" else 0.45)
        hours = 2080 / 12
        if kind == "survey":
            if hourly:
                h = round(m / hours, 2)
                text = f"{sym}{h:.2f} an hour" if rng.random() < 0.5 else f"{sym}{h:.2f}/hr"
                return {**res, "salary_text": text, "shown_low": h, "shown_high": h, "shown_period": "hour"}
            y = round(m * 12 / 500) * 500
            text = f"{sym}{y:,.0f} per year" if rng.random() < 0.5 else f"{sym}{y / 1000:g}K a year"
            return {**res, "salary_text": text, "shown_low": y, "shown_high": y, "shown_period": "year"}
        if hourly:
            a, b = round(lo / hours, 2), round(hi / hours, 2)
            text = f"{sym}{a:.2f} - {sym}{b:.2f} per hour" if cc == "GB" else f"{sym}{a:.0f}-{sym}{b:.0f} an hour"
            if cc == "US":
                a, b = float(round(a)), float(round(b))
                b = max(b, a + 1)
                text = f"{sym}{a:.0f}-{sym}{b:.0f} an hour"
            return {**res, "salary_text": text, "shown_low": a, "shown_high": b, "shown_period": "hour"}
        a, b = round(lo * 12 / 500) * 500, round(hi * 12 / 500) * 500
        b = max(b, a + 500)
        style = rng.random()
        if open_ended:
            text, a = f"Up to {sym}{b:,.0f}", np.nan
        elif style < 0.25:
            text = f"{sym}{a / 1000:g}k - {sym}{b / 1000:g}k"
        elif style < 0.4:
            text = f"{sym}{a:,.0f} - {sym}{b:,.0f} per annum + bonus"
        else:
            text = f"{sym}{a:,.0f} - {sym}{b:,.0f} per annum"
        return {**res, "salary_text": text, "shown_low": a, "shown_high": b, "shown_period": "year"}
    # DE / FR: euro formats with their own separators
    res["shown_basis"] = "gross"
    if rng.random() < 0.5:
        a, b = round(lo / 50) * 50, round(hi / 50) * 50
        b = max(b, a + 50)
        if cc == "DE":
            text = f"{_fmt_num(a, '.')} - {_fmt_num(b, '.')} € brutto/Monat"
        else:
            text = f"{_fmt_num(a, ' ')} - {_fmt_num(b, ' ')} € brut par mois"
        return {**res, "salary_text": text, "shown_low": a, "shown_high": b}
    y = round(m * 12 / 1000) * 1000
    text = f"{_fmt_num(y, '.')} € brutto im Jahr" if cc == "DE" else f"{_fmt_num(y, ' ')} € brut par an"
    return {**res, "salary_text": text, "shown_low": y, "shown_high": y, "shown_period": "year"}


def _experience_text(people: pd.DataFrame, src: _Source, rng: np.random.Generator) -> tuple[list, list, list]:
    texts, lows, highs = [], [], []
    for cc, years in zip(people["country"], people["experience_years"]):
        lang = {"CN": "zh", "RU": "ru", "DE": "de", "FR": "fr"}.get(cc, "en")
        if rng.random() < 0.04:
            texts.append(None), lows.append(np.nan), highs.append(np.nan)
            continue
        if src.kind == "survey":
            y = int(round(years))
            if lang == "zh":
                texts.append(f"工作{y}年" if y > 0 else "应届生")
            else:
                texts.append(f"{y} year" if y == 1 else f"{y} years")
            lows.append(float(y)), highs.append(float(y))
            continue
        # a posting states the band holding the person's experience
        bands = _EXPERIENCE_BANDS[lang]
        fits = [b for b in bands if b[0] <= years and (np.isnan(b[1]) or years <= b[1]) and not (b[0] == 0 and np.isnan(b[1]))]
        lo, hi, text = fits[-1] if fits else bands[-1]
        texts.append(text), lows.append(float(lo)), highs.append(float(hi))
    return texts, lows, highs


def synthetic_survey(*, seed: int = 20241203) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Draw the synthetic sources and their truth.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same seed gives the same rows.

    Returns
    -------
    sources : dict of DataFrame
        Source name -> raw table with the source's own (localised) headers, indexed by
        ``source_row``.
    truth : DataFrame
        One row per raw row: ``source``, ``source_row`` (the row's line in its written file, as
        read_table numbers it; also the index of each source's frame),
        ``country``, ``city_true``, ``level`` (0 = not customer service), ``function``,
        ``experience_years``, ``education``, ``true_monthly_gross``, ``currency``, and what the
        pay text says (``shown_low``, ``shown_high``, ``shown_period``, ``shown_months``,
        ``shown_basis``, ``shown_status``), plus ``has_contact`` for rows with made-up contact
        details in free text.

    Examples
    --------
    >>> sources, truth = synthetic_survey(seed=1)
    >>> sorted(sources)[:2]
    ['synth_cn_postings', 'synth_cn_survey']
    >>> int(truth.groupby("source").size()["synth_gb_postings"])
    900
    """
    rng = np.random.default_rng(seed)
    sources: dict[str, pd.DataFrame] = {}
    truths = []
    for src in SYNTHETIC_SOURCES:
        people = _draw_people(src, rng)
        titles, functions = _pick_title(src, people, rng)
        pay = _render_pay(people, src, rng)
        exp_text, exp_lo, exp_hi = _experience_text(people, src, rng)
        langs = people["country"].map({"CN": "zh", "RU": "ru", "DE": "de", "FR": "fr"}).fillna("en")
        edu_text = [
            _EDUCATION_TEXT[lang][e] if rng.random() > 0.05 else None for lang, e in zip(langs, people["education"])
        ]
        companies = [str(rng.choice(_COMPANIES[lang])) for lang in langs]
        contact = rng.random(src.n) < 0.06
        notes = [
            str(rng.choice(_CONTACTS.get(lang, _CONTACTS["en"]))) if c else None
            for lang, c in zip(langs, contact)
        ]
        raw = pd.DataFrame({
            "title": titles, "company": companies, "salary_text": pay["salary_text"],
            "city": people["city_text"], "country": people["country"], "experience_text": exp_text,
            "education_text": edu_text, "description": notes,
        })
        raw = raw[[c for c in src.headers]].rename(columns=src.headers)
        # each row's line (sheet row) in the file write_synthetic_survey writes, as read_table
        # numbers it: a header on line 1 above one line per row; a JSON array numbers records
        lines = np.arange(1, src.n + 1) + (0 if src.file.endswith(".json") else 1)
        raw.index = pd.Index(lines, name="source_row")
        sources[src.name] = raw
        truth = pd.concat([people.drop(columns=["city_text", "log_city_base"]), pay.drop(columns="salary_text")], axis=1)
        truth.insert(0, "source", src.name)
        truth.insert(1, "source_row", lines)
        truth["function"] = functions
        truth["experience_low_shown"] = exp_lo
        truth["experience_high_shown"] = exp_hi
        truth["has_contact"] = contact
        truths.append(truth)
    truth = pd.concat(truths, ignore_index=True)
    truth["true_log_monthly"] = truth["true_log_monthly"].round(6)
    return sources, truth


def write_synthetic_survey(outdir: str | Path, *, seed: int = 20241203) -> dict[str, Path]:
    """Write the synthetic sources (each in its own format and encoding) and ``truth.csv``.

    Examples
    --------
    >>> paths = write_synthetic_survey("data/raw/synthetic")  # doctest: +SKIP
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    sources, truth = synthetic_survey(seed=seed)
    paths: dict[str, Path] = {}
    for src in SYNTHETIC_SOURCES:
        df = sources[src.name]
        path = out / src.file
        if src.encoding == "xlsx":
            with pd.ExcelWriter(path, engine="openpyxl") as xw:
                df.to_excel(xw, index=False, sheet_name="survey")
        elif path.suffix == ".json":
            records = json.loads(df.to_json(orient="records", force_ascii=False))
            path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", "utf-8")
        else:
            sep = ";" if src.encoding == "cp1251" else ","
            df.to_csv(path, index=False, sep=sep, encoding=src.encoding, lineterminator="\n")
        paths[src.name] = path
    truth_path = out / "truth.csv"
    truth.to_csv(truth_path, index=False, lineterminator="\n")
    paths["truth"] = truth_path
    manifest = {
        "generator": "csresearch.synth.write_synthetic_survey",
        "seed": seed,
        "sources": {s.name: {"file": s.file, "encoding": s.encoding, "countries": list(s.countries),
                             "kind": s.kind, "rows": s.n} for s in SYNTHETIC_SOURCES},
    }
    (out / "sources.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return paths
