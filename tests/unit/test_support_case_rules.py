"""Domain rules of the support case, in memory: no database, no broker."""
from datetime import date, datetime, timezone

import pytest

from cases.domain.deadlines import ReferralDeadlines, add_school_days
from cases.domain.model import Adaptation, SupportCase
from cases.domain.rules import (
    ExtraAdaptationNeedsOneShortDescription,
    OpenReferralCannotBeMadeTwice,
    ReferralNeedsTriedAdaptationsOrSpecialReason,
)
from cases.domain.values import InvalidPersonalIdentityNumber, PersonalIdentityNumber

FRIDAY = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def new_case() -> SupportCase:
    return SupportCase.open(
        municipality="0180",
        school_unit="0180-ENG",
        pupil=PersonalIdentityNumber.parse("201001012382"),
        pupil_name="Elev Test",
        opened_by="anna.lind",
    )


def test_personal_identity_number_accepts_the_usual_forms_and_keeps_the_long_one():
    for raw in ("201001012382", "20100101-2382", "100101-2382"):
        assert PersonalIdentityNumber.parse(raw).value == "20100101-2382"


@pytest.mark.parametrize("raw", ["２０１００１０１－２３８２", "٢٠١٠٠١٠١-٢٣٨٢", "100101\u20132382", "100101\u22122382",
                                 "100101\u20112382", "20100101\u00a02382", "100101 - 2382", " 1001012382 "])
def test_personal_identity_number_typed_in_any_digits_or_dash_is_kept_in_one_form(raw):
    """One child, one number, one key: however the number was typed (R17, R22)."""
    assert PersonalIdentityNumber.parse(raw).value == "20100101-2382"


def test_personal_identity_number_with_a_birth_date_after_today_is_refused():
    with pytest.raises(InvalidPersonalIdentityNumber, match="framtiden"):
        PersonalIdentityNumber.parse("20990101-2394", today=date(2026, 11, 26))


@pytest.mark.parametrize("raw", ["20100101-2384", "20101301-2382", "abc", ""])
def test_personal_identity_number_with_wrong_check_digit_or_date_is_refused(raw):
    with pytest.raises(InvalidPersonalIdentityNumber):
        PersonalIdentityNumber.parse(raw)


def test_coordination_number_is_accepted():
    # samordningsnummer: day + 60
    assert PersonalIdentityNumber.parse("701063-2391").value == "19701063-2391"


def test_r1_extra_adaptation_is_recorded_with_one_short_description():
    case = new_case()
    case.record_extra_adaptation("Extra tid på prov", recorded_by="anna.lind")
    assert case.adaptations == (Adaptation(description="Extra tid på prov", recorded_by="anna.lind"),)
    assert type(case.collect_events()[-1]).__name__ == "ExtraAdaptationRecorded"


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_r1_extra_adaptation_without_a_short_description_is_refused_and_records_nothing(text):
    case = new_case()
    case.collect_events()
    with pytest.raises(ExtraAdaptationNeedsOneShortDescription) as refused:
        case.record_extra_adaptation(text, recorded_by="anna.lind")
    assert refused.value.rule_id == "R1"
    assert case.collect_events() == []


def test_r1_recorded_adaptations_are_never_a_required_step_before_referral():
    case = new_case()
    case.refer_to_rektor(
        referred_by="anna.lind",
        referred_at=FRIDAY,
        tried_adaptations="Anpassade uppgifter i matematik, muntligt",
        why_not_enough="Eleven når ändå inte kunskapskraven",
    )
    assert case.referral.tried_adaptations.startswith("Anpassade")


def test_r2_referral_needs_tried_adaptations_and_why_they_are_not_enough():
    case = new_case()
    case.record_extra_adaptation("Extra tid", recorded_by="anna.lind")
    case.collect_events()
    with pytest.raises(ReferralNeedsTriedAdaptationsOrSpecialReason) as refused:
        case.refer_to_rektor(referred_by="anna.lind", referred_at=FRIDAY)
    assert refused.value.rule_id == "R2"
    assert case.collect_events() == []
    assert case.referral is None


def test_r2_recorded_adaptations_count_as_tried():
    case = new_case()
    case.record_extra_adaptation("Extra tid", recorded_by="anna.lind")
    case.refer_to_rektor(referred_by="anna.lind", referred_at=FRIDAY, why_not_enough="Räcker inte")
    assert case.referral.tried_adaptations == "Extra tid"
    assert case.referral.direct is False


def test_r2_direct_referral_for_a_special_reason_without_adaptations():
    case = new_case()
    case.refer_to_rektor(referred_by="anna.lind", referred_at=FRIDAY, special_reason="Omfattande frånvaro")
    assert case.referral.direct is True


def test_r2_deadlines_follow_the_municipality_setting_in_school_days():
    case = new_case()
    case.refer_to_rektor(
        referred_by="anna.lind",
        referred_at=FRIDAY,
        special_reason="Särskilda skäl",
        deadlines=ReferralDeadlines(investigation_start_school_days=5, decision_weeks=4),
    )
    # Friday + 5 school days skips the weekend: the next Friday.
    assert case.referral.investigation_due == date(2026, 11, 27)
    assert case.referral.decision_due == date(2026, 12, 18)


def test_r2_a_referral_after_midnight_in_sweden_is_dated_the_swedish_day():
    # 23:30 UTC on 26 November is 00:30 on 27 November in Stockholm: the municipality's day.
    case = new_case()
    case.refer_to_rektor(referred_by="anna.lind", referred_at=datetime(2026, 11, 26, 23, 30, tzinfo=timezone.utc),
                         special_reason="Särskilda skäl")
    assert case.referral.referred_on == date(2026, 11, 27)


def test_r2_an_open_referral_cannot_be_made_twice():
    case = new_case()
    case.refer_to_rektor(referred_by="anna.lind", referred_at=FRIDAY, special_reason="Särskilda skäl")
    with pytest.raises(OpenReferralCannotBeMadeTwice):
        case.refer_to_rektor(referred_by="anna.lind", referred_at=FRIDAY, special_reason="Igen")


def test_school_days_skip_weekends():
    assert add_school_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # Saturday → Monday
