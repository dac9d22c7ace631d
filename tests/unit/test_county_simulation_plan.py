"""`make simulate`'s county and year, before anything is sent: the county is Stockholm län's,
the plan is the same for the same seed, and the rates give the shares the README states."""
from __future__ import annotations

import collections
import re

import pytest

from tests.simulation import county


@pytest.fixture(scope="module")
def tenth():
    """A tenth of the county: every municipality, 30,000 pupils (built once: a few seconds)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(county, "SCALE", 0.1)
        organisation = county.organisation()
        register = county.build(organisation, county.pupils_per_unit(organisation))
        yield organisation, register, county.units_from(organisation, register)


def test_the_county_is_stockholm_lans_26_municipalities_with_about_300000_pupils(monkeypatch):
    monkeypatch.setattr(county, "SCALE", 1.0)
    organisation = county.organisation()
    schools = [m for m in organisation["municipalities"] if len(m["code"]) == 4]
    assert len(schools) == 26 and {"0180", "0126", "0127", "0181", "0187"} <= {m["code"] for m in schools}
    units = [u["code"] for m in schools for u in m["school_units"]]
    assert len(units) == len(set(units)) and "0180-ENG" in units  # the development schools are kept
    assert 290_000 <= len(units) * county.pupils_per_unit(organisation) <= 310_000
    rektors = {unit for user in organisation["users"] if user["role"] == "rektor" for unit in user["school_units"]}
    assert {u for u in units if re.fullmatch(r"\d{4}-S\d{3}", u)} <= rektors  # every new school has its rektor


def test_the_same_seed_plans_the_same_year(tenth):
    _, _, units = tenth
    first, configurations = county.plan(units)
    again, _ = county.plan(units)
    assert first == again and len(configurations) == 27  # one unit per municipality, and BUP


def test_the_rates_give_the_shares_the_readme_states(tenth):
    _, register, units = tenth
    sequences, _ = county.plan(units)
    pupils = sum(len(u.pupils) for u in units)
    steps = collections.Counter(step.what for steps in sequences for step in steps)
    assert 0.14 <= steps["open case"] / pupils <= 0.16  # extra adaptations in a case
    assert 0.055 <= steps["referral"] / pupils <= 0.065  # investigated
    assert 0.045 <= steps["decision establish_programme"] / pupils <= 0.055  # an åtgärdsprogram (Skolverket: 5–6%)
    protected = {p["id"] for p in register.persons if p.get("enrolments") and p["securityMarking"] != "Ingen"}
    assert protected and not protected & {s.body["pupil_id"] for seq in sequences for s in seq if s.what == "open case"}


def test_each_case_follows_the_workflow_in_order(tenth):
    _, _, units = tenth
    sequences, _ = county.plan(units)
    cases = [[step.what for step in steps] for steps in sequences if steps[0].what == "open case"]
    assert len({tuple(c) for c in cases}) > 10  # the cases differ
    for whats in cases:
        if "referral" in whats:
            assert whats.index("referral") > max(i for i, w in enumerate(whats) if w == "extra adaptation")
            assert whats.index("investigation started") < whats.index("investigation parts") < whats.index("investigation concluded")
        if "intervention" in whats:  # attached while the investigation is under way (R3)
            assert whats.index("investigation parts") < whats.index("intervention") < whats.index("investigation concluded")
        if "programme" in whats:
            assert whats.index("decision establish_programme") < whats.index("programme")
            assert whats.count("participation") == 2 and whats.index("participation") < whats.index("programme")
        if "evaluation" in whats:
            assert whats[-2] in ("decision close_programme", "decision continue_with_new_measures")
            assert whats[-1] == "decision delivered"
