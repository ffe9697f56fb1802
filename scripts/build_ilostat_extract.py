#!/usr/bin/env python
"""Rebuild ``data/raw/ilostat_ear_4mth_sex_geo.csv`` from an ILOSTAT indicator download.

The extract holds ILOSTAT's indicator EAR_4MTH_SEX_GEO_CUR_NB_A, "Average monthly earnings
of employees by sex and rural / urban areas" (annual), in ILOSTAT's currency "2021 PPP $", for
the countries csresearch covers (``COUNTRIES``; of these ILOSTAT's file holds AU, CH, DE, FR,
GB and US, and no row for CN, RU or CA). It is an all-employees benchmark: ILOSTAT publishes
no customer-service occupation in this indicator.

Rows and fields are copied exactly as ILOSTAT wrote them (its column names, labels, numbers
and notes), only the other countries' rows are left out.

Where the numbers come from
---------------------------
ILOSTAT (https://ilostat.ilo.org), data explorer download of EAR_4MTH_SEX_GEO_CUR_NB_A,
filtered 2025-06-01, CC BY 4.0. The copy used for the shipped extract is in the public
repository openwashdata-conf/ilostat-wage, commit 1b478daf8ffa97c89e7618ab87176c013e292dd4,
``data-raw/EAR_4MTH_SEX_GEO_CUR_NB_A-filtered-2025-06-01.csv`` (SHA-256 in ``SOURCE_SHA256``).

Usage
-----
    python scripts/build_ilostat_extract.py SOURCE_CSV [-o data/raw/ilostat_ear_4mth_sex_geo.csv]

Examples
--------
    git --git-dir /path/to/ilostat-wage.git show \\
        1b478daf8ffa97c89e7618ab87176c013e292dd4:data-raw/EAR_4MTH_SEX_GEO_CUR_NB_A-filtered-2025-06-01.csv > /tmp/ilo.csv
    python scripts/build_ilostat_extract.py /tmp/ilo.csv
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _extract_common import read_checked, run_extract  # noqa: E402  (a sibling script module, not a package)

RELEASE = "ILOSTAT EAR_4MTH_SEX_GEO_CUR_NB_A, download filtered 2025-06-01"
SOURCE_SHA256 = "39b510404249726d0383efd9827b962fe42d0f77d856c14d8d44a70875f0680d"
#: ILOSTAT's ref_area.label -> ISO 3166 alpha-2, for the countries csresearch covers
COUNTRIES = {
    "China": "CN", "Russian Federation": "RU", "United Kingdom of Great Britain and Northern Ireland": "GB",
    "United States of America": "US", "Germany": "DE", "France": "FR", "Switzerland": "CH",
    "Canada": "CA", "Australia": "AU",
}
COLUMNS = ["ref_area.label", "source.label", "indicator.label", "sex.label", "classif1.label", "classif2.label",
           "time", "obs_value", "obs_status.label", "note_indicator.label", "note_source.label"]
INDICATOR = "Average monthly earnings of employees by sex and rural / urban areas"


class SourceError(RuntimeError):
    """The file is missing or is not the ILOSTAT download this script expects."""


def read_rows(source: Path, *, check_sha: bool = True) -> list[dict[str, str]]:
    """The rows of the countries in :data:`COUNTRIES`, fields as ILOSTAT wrote them."""
    blob = read_checked(source, SOURCE_SHA256 if check_sha else None, SourceError)
    reader = csv.DictReader(io.StringIO(blob.decode("utf-8-sig")))
    if reader.fieldnames != COLUMNS:
        raise SourceError(f"{source.name}: columns {reader.fieldnames} are not ILOSTAT's bulk layout {COLUMNS}")
    rows = [r for r in reader if r["ref_area.label"] in COUNTRIES]
    other = {r["indicator.label"] for r in rows} - {INDICATOR}
    if other:
        raise SourceError(f"{source.name}: holds other indicators {sorted(other)}")
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_extract(argv, doc=__doc__, source_help="the ILOSTAT CSV download of EAR_4MTH_SEX_GEO_CUR_NB_A",
                       out_name="ilostat_ear_4mth_sex_geo.csv", columns=COLUMNS, release=RELEASE,
                       read=lambda src, check: read_rows(src, check_sha=check), errors=(SourceError, OSError))


if __name__ == "__main__":
    sys.exit(main())
