"""CSV files as people in Swedish offices open them: one place for every export (no I/O).

Excel with Swedish settings opens a file as it is when it is UTF-8 with a byte-order mark,
separated by semicolons (the comma is the decimal sign), with Swedish column headings and
cell values written out: dates in ISO form (2026-12-07), yes/no as "Ja"/"Nej", an empty value
as an empty cell, lists joined with ", ". Codes never reach a cell: the caller passes each
column's label and a function that words the value (`Column`), and `cell` refuses a
dict left in a row, so raw structure cannot slip into a file by mistake. A decimal number is
written with a decimal comma (2,5), as Swedish Excel reads a number.

Cells that start with = + - @ are prefixed with an apostrophe, so a text typed by a user can
never run as a formula when the file is opened (CSV injection).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable, Mapping

from eventkit.dates import LOCAL_TIME

MEDIA_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column: its Swedish heading, the row's key, and how to word a value (default: `cell`)."""

    label: str
    key: str
    word: Callable[[Any], str] | None = None


def cell(value: Any) -> str:
    """A value as a spreadsheet cell: ISO dates (a moment as its Swedish calendar day and time),
    Ja/Nej, numbers as they are, lists joined with ', '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, datetime):
        moment = value if value.tzinfo is None else value.astimezone(LOCAL_TIME)
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        raise TypeError("a dict cannot be a cell: word it with the column's word function")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(columns: Iterable[Column], rows: Iterable[Mapping[str, Any]]) -> str:
    """The whole file as text, the BOM first."""
    columns = list(columns)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in columns])
    for row in rows:
        writer.writerow([cell(c.word(row.get(c.key)) if c.word else row.get(c.key)) for c in columns])
    return BOM + out.getvalue()


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition header that saves the file under `filename` (ASCII, ends .csv)."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
