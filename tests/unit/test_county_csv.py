"""The county view's CSV (R23) as a Swedish Excel opens it: eventkit.spreadsheet's BOM,
semicolons and ISO dates, Swedish headings, and every value in the county pages' words from the
published lists — no code of a list, no True/False, no id (no I/O: the read API's columns on a
row as its query returns it)."""
from __future__ import annotations

import re

from eventkit import spreadsheet
from eventkit.vocabulary import labels

ROW = {
    "deviation_id": "6f1c7c2e-6a55-4f61-9a57-0d8a1b2c3d4e", "municipality": "0184", "reported_by": "municipality",
    "organisations": [{"kind": "school", "side": "municipality"}, {"kind": "child_psychiatry", "side": "region"}],
    "arose_in": {"kind": "child_psychiatry", "side": "region"}, "category": "party_absent_from_meetings",
    "occurred_on": "2025-05-09", "month": "2025-05", "quarter": "2025-Q2", "year": 2025, "principled": False,
    "description": "BUP deltog inte i det planerade SIP-mötet.", "tried_locally": "=Rektor har ringt.",
    "sent_on": "2025-05-20",
}


def test_r23_the_county_csv_has_swedish_headings_worded_values_and_iso_dates():
    from projections.county.api import CSV_COLUMNS

    text = spreadsheet.csv_text(CSV_COLUMNS, [ROW])
    assert text.startswith(spreadsheet.BOM)
    header, row = text[1:].splitlines()
    cells = dict(zip(header.split(";"), row.split(";")))
    assert cells["Kategori"] == labels("DeviationCategory")["party_absent_from_meetings"]
    child_psychiatry = f"{labels('OrganisationKind')['child_psychiatry']} ({labels('OrganisationSide')['region']})"
    assert cells["Uppstod i"] == child_psychiatry
    assert cells["Berörda verksamheter"] == f"{labels('OrganisationKind')['school']} (kommunen), {child_psychiatry}"
    assert cells["Rapporterad av"] == "kommunen" and cells["Kommunkod"] == "0184"
    assert (cells["Inträffade"], cells["Skickad till BUS"], cells["Månad"]) == ("2025-05-09", "2025-05-20", "2025-05")
    assert cells["Kvartal"] == "2025 kvartal 2" and cells["Principiell"] == "Nej"
    assert cells["Vad som prövats lokalt"] == "'=Rektor har ringt."  # never a formula
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text) and not re.search(r"\b(True|False|None)\b", text)
    assert ROW["deviation_id"] not in text
