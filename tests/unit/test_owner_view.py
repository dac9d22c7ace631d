"""The school owner's view (huvudmannens översikt): aggregation and the small-numbers rule,
in memory (projections.followup.ownerview; no I/O)."""
from datetime import date

import pytest

from projections.followup.ownerview import (
    FEWER_THAN_FIVE, TOO_FEW_CASES, Decision, Deviation, Facts, Per, Programme, Referral, aggregate, overview,
    period_end, period_label, period_of, periods, shown_count, shown_statistic,
)

KINDS = ("establish_programme", "no_programme", "continue_with_new_measures", "close_programme")
TODAY = date(2026, 12, 7)


@pytest.mark.parametrize("n, shown", [(0, 0), (1, FEWER_THAN_FIVE), (4, FEWER_THAN_FIVE), (5, 5), (117, 117)])
def test_a_count_from_one_to_four_is_never_shown(n, shown):
    assert shown_count(n) == shown


def test_a_median_or_percentile_over_fewer_than_five_cases_is_not_shown():
    assert shown_statistic([]) == {"median": None, "p90": None}
    assert shown_statistic([1, 2, 3, 4]) == {"median": TOO_FEW_CASES, "p90": TOO_FEW_CASES}
    assert shown_statistic([4, 1, 3, 2, 10]) == {"median": 3, "p90": 10}
    assert shown_statistic(list(range(1, 11))) == {"median": 5.5, "p90": 9}


def test_periods_are_months_terms_and_school_years_in_swedish():
    assert period_of(date(2026, 8, 20), Per.TERM) == "HT2026" and period_of(date(2027, 3, 1), Per.TERM) == "VT2027"
    assert period_of(date(2027, 3, 1), Per.SCHOOL_YEAR) == "2026/27"
    assert period_label("2026-03", Per.MONTH) == "mars 2026"
    assert period_label("HT2026", Per.TERM) == "HT 2026"
    assert period_label("2026/27", Per.SCHOOL_YEAR) == "läsåret 2026/27"
    assert period_end("2026-02", Per.MONTH) == date(2026, 2, 28) and period_end("2026-12", Per.MONTH) == date(2026, 12, 31)
    assert period_end("VT2026", Per.TERM) == date(2026, 6, 30) and period_end("2026/27", Per.SCHOOL_YEAR) == date(2027, 6, 30)
    assert periods(date(2025, 11, 15), date(2026, 2, 3), Per.MONTH) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert periods(date(2024, 7, 1), date(2026, 12, 7), Per.SCHOOL_YEAR) == ["2024/25", "2025/26", "2026/27"]


def referral(unit="ENG", on=date(2026, 9, 1), due=date(2026, 9, 8), started=None, decided=None):
    return Referral(unit, on, due, started, decided)


def test_referrals_started_in_time_and_days_count_with_the_referrals_period():
    facts = Facts(referrals=(
        referral(started=date(2026, 9, 3), decided=date(2026, 9, 20)),
        referral(started=date(2026, 9, 8), decided=date(2026, 9, 25)),
        referral(started=date(2026, 9, 10)),  # late
        referral(on=date(2026, 9, 30), due=date(2026, 10, 7), started=date(2026, 10, 2)),  # in time, started in October
        referral(),  # not started
        referral(unit="KAT", on=date(2026, 10, 5), due=date(2026, 10, 12)),
    ))
    cells = aggregate(facts, Per.MONTH, date(2026, 9, 1), date(2026, 10, 31), TODAY)
    september = cells[("ENG", "2026-09")]
    assert september.referrals == 5 and september.started_in_time == 3
    assert sorted(september.days_to_start) == [2, 2, 7, 9] and sorted(september.days_to_decision) == [19, 24]
    assert cells[("", "2026-10")].referrals == 1 and cells[("", "")].referrals == 6
    assert cells[("KAT", "")].referrals == 1


def test_decisions_by_kind_and_deviations_answered_in_time():
    facts = Facts(
        decisions=(Decision("ENG", date(2026, 9, 2), "establish_programme"),
                   Decision("ENG", date(2026, 9, 3), "no_programme"),
                   Decision("ENG", date(2025, 9, 3), "no_programme")),  # before the range
        deviations=(Deviation("ENG", date(2026, 9, 1), date(2026, 10, 31), date(2026, 10, 1)),
                    Deviation("ENG", date(2026, 9, 1), date(2026, 10, 31), date(2026, 11, 5)),
                    Deviation("ENG", date(2026, 9, 1), date(2026, 10, 31))),
    )
    cell = aggregate(facts, Per.TERM, date(2026, 7, 1), TODAY, TODAY)[("ENG", "HT2026")]
    assert dict(cell.decisions) == {"establish_programme": 1, "no_programme": 1}
    assert cell.deviations == 3 and cell.answered_in_time == 1


def test_programmes_in_force_and_overdue_follow_ups_are_counted_on_each_periods_last_day():
    programme = Programme("ENG", issued_on=date(2026, 8, 20), ended_on=date(2026, 11, 10),
                          follow_up_dates=(date(2026, 9, 15), date(2026, 10, 15)),
                          followed_up_on=(date(2026, 10, 2),), evaluation_on=date(2026, 10, 30))
    cells = aggregate(Facts(programmes=(programme,)), Per.MONTH, date(2026, 8, 1), TODAY, TODAY)
    in_force = {p: cells[("ENG", p)].programmes_in_force for p in ("2026-08", "2026-09", "2026-10", "2026-11", "2026-12")}
    assert in_force == {"2026-08": 1, "2026-09": 1, "2026-10": 1, "2026-11": 0, "2026-12": 0}
    # 30 September: the first follow-up was due on the 15th and done on 2 October.
    assert cells[("ENG", "2026-09")].follow_ups_overdue == 1
    # 31 October: the second (15 October) is not done, the evaluation (30 October) neither.
    assert cells[("ENG", "2026-10")].follow_ups_overdue == 1 and cells[("ENG", "2026-10")].evaluations_overdue == 1
    # The programme ended on 10 November: nothing of it is overdue after that.
    assert cells[("ENG", "2026-11")].follow_ups_overdue == 0 and cells[("", "")].programmes_in_force == 0


def test_the_period_under_way_counts_its_stocks_today():
    programme = Programme("ENG", issued_on=date(2026, 12, 1), follow_up_dates=(date(2026, 12, 5),))
    cells = aggregate(Facts(programmes=(programme,)), Per.MONTH, date(2026, 12, 1), date(2026, 12, 31), TODAY)
    assert cells[("ENG", "2026-12")].programmes_in_force == 1 and cells[("ENG", "2026-12")].follow_ups_overdue == 1


def test_the_overview_suppresses_every_small_count_and_statistic_and_carries_no_ids():
    facts = Facts(referrals=tuple(referral(started=date(2026, 9, 2)) for _ in range(6)) + (referral(unit="KAT"),),
                  decisions=(Decision("KAT", date(2026, 9, 5), "no_programme"),))
    answer = overview(facts, Per.MONTH, date(2026, 9, 1), date(2026, 9, 30), TODAY, KINDS, over_time=None)
    assert [p["label"] for p in answer["periods"]] == ["september 2026"]
    eng, kat = answer["units"]
    assert eng["school_unit"] == "ENG" and eng["total"]["referrals"] == 6 and eng["total"]["started_in_time"] == 6
    assert eng["total"]["days_to_start"] == {"median": 1, "p90": 1}
    assert kat["total"]["referrals"] == FEWER_THAN_FIVE
    assert kat["total"]["days_to_start"] == {"median": None, "p90": None}
    assert kat["periods"][0]["decisions"] == {"establish_programme": 0, "no_programme": FEWER_THAN_FIVE,
                                              "continue_with_new_measures": 0, "close_programme": 0}
    assert answer["municipality"]["total"]["referrals"] == 7

    def numbers(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from numbers(v)
        elif isinstance(value, list):
            for v in value:
                yield from numbers(v)
        elif isinstance(value, int) and not isinstance(value, bool):
            yield value
    counts = [n for unit in answer["units"] for n in numbers({k: v for k, v in unit["total"].items() if not k.startswith("days")})]
    assert counts and not any(1 <= n <= 4 for n in counts)


def test_the_period_defaults_to_the_school_year_so_far_and_is_refused_when_it_cannot_be():
    from projections.followup.ownerview import (
        PeriodEndsBeforeItStarts, PeriodIsAtMostTenYears, PeriodStartsBeforeStodspar, chosen_range,
    )
    assert chosen_range(None, None, TODAY) == (date(2026, 7, 1), TODAY)
    assert chosen_range(date(2026, 1, 1), date(2027, 6, 30), TODAY) == (date(2026, 1, 1), TODAY)  # never past today
    with pytest.raises(PeriodEndsBeforeItStarts) as refused:
        chosen_range(date(2026, 9, 1), date(2026, 8, 1), TODAY)
    assert refused.value.fields == {"to": "Perioden kan inte sluta innan den börjar."}
    with pytest.raises(PeriodIsAtMostTenYears):
        chosen_range(date(2015, 1, 1), TODAY, TODAY)
    with pytest.raises(PeriodStartsBeforeStodspar):
        chosen_range(date(1999, 12, 31), date(2000, 6, 1), TODAY)


def test_a_units_figures_per_period_are_given_for_the_units_asked_only():
    facts = Facts(referrals=(referral(), referral(unit="KAT")))
    answer = overview(facts, Per.MONTH, date(2026, 9, 1), date(2026, 9, 30), TODAY, KINDS, over_time=["KAT"])
    eng, kat = answer["units"]
    assert "periods" not in eng and [p["period"] for p in kat["periods"]] == ["2026-09"]
