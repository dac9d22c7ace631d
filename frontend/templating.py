"""Jinja2 templates with block rendering (jinja2-fragments), and Swedish formatting filters."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from jinja2_fragments.fastapi import Jinja2Blocks

from eventkit.dates import LOCAL_TIME, MONTHS
from frontend.devlogin import Organisation, role_label
from frontend.staff import StaffDirectory

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Vendored: npm htmx.org@2.0.11, dist/htmx.min.js (0BSD), as static/htmx-2.0.11.min.js;
# sha256 d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717. No CDN.
HTMX_VERSION = "2.0.11"


def _as_date(value: str | date | datetime | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        # A moment (opened_at) is shown as the Swedish calendar date it happened on.
        return value.astimezone(LOCAL_TIME).date() if value.tzinfo else value.date()
    return value


def long_date(value: str | date | datetime | None) -> str:
    """'3 mars 2026' – for the case page, where dates are read one at a time."""
    day = _as_date(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else "–"


def short_date(value: str | date | datetime | None) -> str:
    """'2026-03-03' – for tables, where dates are compared down a column."""
    day = _as_date(value)
    return day.isoformat() if day else "–"


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def make_templates(organisation: Organisation, staff: StaffDirectory | None = None) -> Jinja2Blocks:
    """`staff`: who works where (the directory's staff and the seed file's others); names on
    pages and the staff a form offers come from it."""
    staff = staff or StaffDirectory(organisation)
    templates = Jinja2Blocks(directory=str(TEMPLATES))
    env = templates.env
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(datum=long_date, kortdatum=short_date, roll=role_label)
    env.globals.update(
        unit_name=organisation.unit_name,
        person=staff.name,
        staff_options=lambda unit: [
            (u.user_id, f"{u.display_name}, {role_label(u.role)}")
            for u in staff.users if unit in u.school_units and u.role.value != "teacher"
        ],
        # Whom rektor may invite to an investigation (R14): the unit's teachers.
        teacher_options=lambda unit: [
            (u.user_id, u.display_name) for u in staff.users if unit in u.school_units and u.role.value == "teacher"
        ],
        all_unit_options=lambda municipality: [
            (code, name) for code, name in organisation.unit_names.items() if code.startswith(municipality)
        ],
        unit_options=lambda codes: [(code, organisation.unit_name(code)) for code in codes],
        plural=plural,
        htmx_src=f"/static/htmx-{HTMX_VERSION}.min.js",
    )
    return templates
