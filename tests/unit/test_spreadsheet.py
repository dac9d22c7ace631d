"""CSV exports open in a Swedish Excel as they are: BOM, semicolons, Swedish headings, ISO dates."""
import csv
import io
from datetime import date, datetime, timezone

import pytest

from eventkit.spreadsheet import BOM, Column, csv_text

KINDS = {"special_teaching_group": "Särskild undervisningsgrupp"}


def read(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM):]), delimiter=";"))


def test_a_file_has_swedish_headings_iso_dates_and_words_for_codes_and_yes_no():
    text = csv_text(
        [Column("Beslut", "kind", KINDS.get), Column("Datum", "on"), Column("Principiell", "principled"),
         Column("Tidpunkt", "at"), Column("Antal", "count")],
        [{"kind": "special_teaching_group", "on": date(2026, 12, 7), "principled": False,
          "at": datetime(2026, 12, 7, 23, 30, tzinfo=timezone.utc), "count": 3}],
    )
    assert read(text) == [["Beslut", "Datum", "Principiell", "Tidpunkt", "Antal"],
                          ["Särskild undervisningsgrupp", "2026-12-07", "Nej", "2026-12-08 00:30", "3"]]
    assert "\r\n" in text


def test_a_semicolon_or_quote_in_a_text_stays_in_its_cell():
    text = csv_text([Column("Text", "t"), Column("Nästa", "n")], [{"t": 'a; "b"', "n": "c"}])
    assert read(text)[1] == ['a; "b"', "c"]


def test_a_text_that_looks_like_a_formula_cannot_run_when_opened():
    text = csv_text([Column("Text", "t")], [{"t": "=HYPERLINK(\"http://x\")"}, {"t": "-1+1"}])
    assert [row[0] for row in read(text)[1:]] == ["'=HYPERLINK(\"http://x\")", "'-1+1"]
    assert read(csv_text([Column("Antal", "n")], [{"n": -3}]))[1] == ["-3"]


def test_raw_structure_cannot_slip_into_a_cell():
    with pytest.raises(TypeError):
        csv_text([Column("Part", "p")], [{"p": {"kind": "school", "side": "sender"}}])


def test_a_decimal_number_has_a_decimal_comma_as_swedish_excel_reads_it():
    text = csv_text([Column("Median", "m"), Column("Dagar", "d")], [{"m": 2.5, "d": 4.0}])
    assert read(text)[1] == ["2,5", "4"]
