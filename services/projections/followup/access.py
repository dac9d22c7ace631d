"""Who sees which rows of the follow-up read model (R14).

Units and municipality come from the signed identity (eventkit.authz.units_in_scope). A
protected pupil's case (skyddad identitet) is a row only for the staff granted access: it is
left out of the rows, every count, the page total and the investigator suggestions alike, so
nothing says that a hidden case exists.
"""
from __future__ import annotations

from typing import Any

import psycopg

SCHEMA = """
ALTER TABLE followup_case
    ADD COLUMN IF NOT EXISTS protected boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS granted_to text[] NOT NULL DEFAULT '{}';
"""

# Bound as %(viewer)s: the user id of the signed identity.
VISIBLE = "(NOT protected OR %(viewer)s = ANY(granted_to))"


async def protection_changed(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """CaseProtectionChanged carries the whole list of grants and whether the case is protected
    after the change (1.1: a lift by the register may end it); the newest version wins."""
    data = m["data"]
    await conn.execute(
        "UPDATE followup_case SET protected = %s, granted_to = %s, last_version = %s"
        " WHERE case_id = %s AND last_version < %s",
        (data["protected"], data["granted_to"], m["aggregate_version"], data["case_id"], m["aggregate_version"]),
    )
