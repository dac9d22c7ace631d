"""Deviation reporting's rules (R19–R22), in memory: no database, no broker."""
from datetime import date

import pytest

import deidentify
from deviations.domain import rules
from deviations.domain.configuration import UnitConfiguration
from deviations.domain.model import CONFIRM, REDACT, Deviation
from deviations.domain.values import InvolvedOrganisation, OrganisationKind, Side

# No text in these tests names a pupil with protected identity (R14 at entry is tested on its own).
NOBODY_PROTECTED = lambda text: False  # noqa: E731

TODAY = date(2026, 3, 10)
SCHOOL = InvolvedOrganisation(OrganisationKind.SCHOOL, Side.MUNICIPALITY)
SOCIAL = InvolvedOrganisation(OrganisationKind.SOCIAL_SERVICES, Side.MUNICIPALITY)
BUP = InvolvedOrganisation(OrganisationKind.CHILD_PSYCHIATRY, Side.REGION)


def unit(organisation="0180", name="0180-ENG", **changes) -> UnitConfiguration:
    settings = {"reporters": ["anna.lind"], "manager": "rolf.ek", "answer_days": 60, **changes}
    return UnitConfiguration.configure(organisation=organisation, unit=name, configured_by="admin", **settings)


def report(configuration=None, **changes) -> Deviation:
    fields = dict(
        configuration=configuration or unit(),
        reported_by="anna.lind",
        organisations=[SCHOOL, BUP],
        category="agreed_measures_not_carried_out",
        occurred_on=date(2026, 3, 2),
        description="BUP kom inte till det överenskomna SIP-mötet.",
        tried_locally="Ringt BUP:s enhetschef två gånger.",
        principled=False,
        arose_in=BUP,
        today=TODAY,
    )
    protected = changes.pop("protected", NOBODY_PROTECTED)
    fields.update(changes)
    return Deviation.report(protected=protected, **fields)


def refused(rule: type, call) -> rules.RuleBroken:
    with pytest.raises(rule) as caught:
        call()
    return caught.value


# R19 ------------------------------------------------------------------------------------------
def test_r19_a_deviation_between_two_organisations_is_reported_with_its_answer_deadline():
    deviation = report()
    assert deviation.organisations == [{"kind": "school", "side": "municipality"}, {"kind": "child_psychiatry", "side": "region"}]
    assert deviation.municipality == "0180" and deviation.reporter_side == "municipality"
    assert deviation.answer_due == date(2026, 5, 9)  # R21: 60 days after the report


@pytest.mark.parametrize("organisations", [[], [SCHOOL], [SCHOOL, SCHOOL]])
def test_r19_a_deviation_needs_two_or_more_organisations(organisations):
    broken = refused(rules.DeviationInvolvesTwoOrMoreOrganisations, lambda: report(organisations=organisations, arose_in=SCHOOL))
    assert broken.rule_id == "R19"


def test_r19_two_organisations_of_the_same_municipality_are_a_deviation_too():
    assert report(organisations=[SCHOOL, SOCIAL], arose_in=SOCIAL).organisations[1]["kind"] == "social_services"


def test_r19_without_local_trial_it_must_be_of_a_principled_nature():
    refused(rules.DeviationWasTriedLocallyOrIsOfAPrincipledNature, lambda: report(tried_locally="  "))
    assert report(tried_locally="", principled=True).principled is True


@pytest.mark.parametrize(
    "changes, rule",
    [
        ({"description": " "}, rules.DeviationNeedsADescription),
        ({"description": "x" * 4001}, rules.DeviationNeedsADescription),
        ({"category": "bad_weather"}, rules.DeviationHasACategoryFromTheAgreedList),
        ({"occurred_on": date(2026, 3, 11)}, rules.DeviationDateIsNotInTheFuture),
        ({"arose_in": SOCIAL}, rules.DeviationAroseInOneOfTheInvolvedOrganisations),
    ],
)
def test_r19_incomplete_reports_are_refused(changes, rule):
    refused(rule, lambda: report(**changes))


def test_r23_every_agreed_category_is_accepted():
    for category in ("guidelines_not_followed", "agreed_measures_not_carried_out", "responsibility_disputed",
                     "party_absent_from_meetings", "other"):
        assert report(category=category).category == category


def test_r19_a_region_unit_reports_with_a_municipality_as_the_other_party():
    region = unit(organisation="01", name="01-BUPS", reporters=["erik.sjo"], manager="helena.bjork")
    deviation = report(region, reported_by="erik.sjo", counterpart_municipality="0126", arose_in=SCHOOL)
    assert (deviation.organisation, deviation.municipality, deviation.reporter_side) == ("01", "0126", "region")
    refused(rules.RegionReportNamesTheMunicipalityConcerned, lambda: report(region, reported_by="erik.sjo", arose_in=SCHOOL))
    refused(rules.DeviationInvolvesBothSidesOfTheCollaboration,
            lambda: report(region, reported_by="erik.sjo", organisations=[SCHOOL, SOCIAL], arose_in=SCHOOL,
                           counterpart_municipality="0126"))


# R20 ------------------------------------------------------------------------------------------
def test_r20_only_configured_reporters_may_report():
    broken = refused(rules.OnlyConfiguredReportersMayReport, lambda: report(reported_by="ola.nilsson"))
    assert broken.rule_id == "R20"


def test_r20_configuration_changes_are_events_and_need_a_manager():
    configuration = unit()
    configuration.collect_events()
    assert configuration.change(reporters=["anna.lind", "sara.berg"], manager="rolf.ek", answer_days=30, changed_by="admin")
    assert not configuration.change(reporters=["sara.berg", "anna.lind"], manager="rolf.ek", answer_days=30, changed_by="admin")
    assert [type(e).__name__ for e in configuration.collect_events()] == ["Changed"]
    refused(rules.UnitHasAResponsibleManager, lambda: configuration.change(reporters=[], manager=" ", answer_days=30, changed_by="a"))
    for days in (0, 366, "60"):
        refused(rules.AnswerTimeIsAWholeNumberOfDays, lambda: configuration.change(reporters=[], manager="m", answer_days=days, changed_by="a"))
    assert configuration.collect_events() == []


def test_r20_r21_only_the_responsible_manager_handles_the_deviation():
    configuration, deviation = unit(), report()
    deviation.collect_events()
    refused(rules.OnlyTheResponsibleManagerHandlesTheDeviation,
            lambda: deviation.record_action(configuration, "anna.lind", "Möte bokat", TODAY, protected=NOBODY_PROTECTED))
    assert deviation.collect_events() == []


# R21 ------------------------------------------------------------------------------------------
def test_r21_answer_deadline_follows_the_configured_time_and_flags_overdue():
    deviation = report(unit(answer_days=10))
    assert deviation.answer_due == date(2026, 3, 20)
    assert not deviation.answer_overdue(date(2026, 3, 20))
    assert deviation.answer_overdue(date(2026, 3, 21))
    deviation.record_answer(unit(), "rolf.ek", "BUP har bytt rutin för kallelser.", date(2026, 3, 25), protected=NOBODY_PROTECTED)
    assert not deviation.answer_overdue(date(2026, 4, 30))
    refused(rules.AnswerIsRecordedOnce, lambda: deviation.record_answer(unit(), "rolf.ek", "Igen", TODAY, protected=NOBODY_PROTECTED))


def test_r21_solved_locally_is_an_outcome_and_then_nothing_is_sent():
    configuration, deviation = unit(), report()
    deviation.record_action(configuration, "rolf.ek", "Möte med BUP:s chef", TODAY, protected=NOBODY_PROTECTED)
    deviation.solve_locally(configuration, "rolf.ek", "Ny rutin för kallelser", TODAY, protected=NOBODY_PROTECTED)
    deviation.collect_events()
    refused(rules.DeviationHasOneOutcome,
            lambda: deviation.send_to_bus(configuration, "rolf.ek", decisions={}, checker=checker(), on=TODAY, protected=NOBODY_PROTECTED))
    assert deviation.collect_events() == []


def test_r21_a_deviation_is_handled_locally_before_it_is_sent():
    refused(rules.DeviationIsHandledLocallyBeforeItIsSent,
            lambda: report().send_to_bus(unit(), "rolf.ek", decisions={}, checker=checker(), on=TODAY, protected=NOBODY_PROTECTED))


# R22 ------------------------------------------------------------------------------------------
LEXICON = deidentify.Lexicon.of(
    given=["elsa"], surnames=["ek"],
    common=["gäller", "en", "elev", "på", "skolan", "saknade", "kallelse", "ring", "eller", "mejla", "född", "maj", "ek",
            "ringt", "enhetschef", "två", "gånger", "enligt"],
)


def checker(names=()):
    """The R22 check as the application builds it, with a small lexicon and register of its own."""
    register = deidentify.Register.of(names)
    return lambda text, field: deidentify.check(text, lexicon=LEXICON, register=register, field=field, today=TODAY)


def handled(description: str) -> tuple[UnitConfiguration, Deviation]:
    configuration = unit()
    deviation = report(description=description)
    deviation.record_action(configuration, "rolf.ek", "Kontaktat BUP", TODAY, protected=NOBODY_PROTECTED)
    deviation.collect_events()
    return configuration, deviation


def test_r22_every_finding_must_be_redacted_or_confirmed_before_sending():
    configuration, deviation = handled("Elsa Ek saknade kallelse, ring 070-123 45 67 eller mejla vh@example.se.")
    findings = deviation.check(configuration, "rolf.ek", checker=checker(["Elsa Ek"]), on=TODAY, protected=NOBODY_PROTECTED)
    assert [f.kind.value for f in findings] == ["registered_name", "phone", "email"]
    refused(rules.EveryFindingIsRedactedOrConfirmed,
            lambda: deviation.send_to_bus(configuration, "rolf.ek", decisions={findings[0].key: REDACT},
                                          checker=checker(["Elsa Ek"]), on=TODAY, protected=NOBODY_PROTECTED))
    decisions = {findings[0].key: REDACT, findings[1].key: REDACT, findings[2].key: CONFIRM}
    deviation.send_to_bus(configuration, "rolf.ek", decisions=decisions, checker=checker(["Elsa Ek"]), on=TODAY, protected=NOBODY_PROTECTED)
    checked, decided, sent = deviation.collect_events()
    assert sent.description == "[namn borttaget] saknade kallelse, ring [telefonnummer borttaget] eller mejla vh@example.se."
    assert (sent.redacted, sent.confirmed) == (2, 1)
    # The decisions are an event of their own: who, when, which span, what was decided.
    assert decided.decided_by == "rolf.ek" and decided.on == TODAY
    assert [(d["text"], d["start"], d["end"], d["decision"]) for d in decided.decisions] == [
        ("Elsa Ek", 0, 7, REDACT), ("070-123 45 67", 31, 44, REDACT), ("vh@example.se", 57, 70, CONFIRM)]
    assert checked.checked_by == "rolf.ek" and len(checked.findings) == 3


def test_r22_identity_numbers_dates_of_birth_and_registered_names_can_only_be_redacted():
    configuration, deviation = handled("Elsa Ek, född 3 maj 2015, saknade kallelse.")
    findings = deviation.check(configuration, "rolf.ek", checker=checker(["Elsa Ek"]), on=TODAY, protected=NOBODY_PROTECTED)
    assert {f.kind.value for f in findings} == {"registered_name", "birth_date"}
    deviation.collect_events()
    for confirmed in findings:
        decisions = {f.key: CONFIRM if f is confirmed else REDACT for f in findings}
        refused(rules.IdentityNumbersBirthDatesAndRegisteredNamesAreAlwaysRedacted,
                lambda: deviation.send_to_bus(configuration, "rolf.ek", decisions=decisions,
                                              checker=checker(["Elsa Ek"]), on=TODAY, protected=NOBODY_PROTECTED))
    assert deviation.collect_events() == []


def test_r22_a_report_that_still_contains_an_identity_number_cannot_be_sent():
    configuration, deviation = handled("Gäller elev 20100101-2382 på skolan.")
    [finding] = deviation.check(configuration, "rolf.ek", checker=checker(), on=TODAY, protected=NOBODY_PROTECTED)
    deviation.collect_events()
    broken = refused(rules.IdentityNumbersBirthDatesAndRegisteredNamesAreAlwaysRedacted,
                     lambda: deviation.send_to_bus(configuration, "rolf.ek", decisions={finding.key: CONFIRM},
                                                   checker=checker(), on=TODAY, protected=NOBODY_PROTECTED))
    assert broken.rule_id == "R22"
    assert deviation.collect_events() == []


def test_r22_a_text_is_checked_before_it_is_sent_and_sent_as_it_was_checked():
    configuration, deviation = handled("Gäller en elev på skolan, enligt Ek.")
    refused(rules.TextIsCheckedBeforeItIsSent,
            lambda: deviation.send_to_bus(configuration, "rolf.ek", decisions={}, checker=checker(), on=TODAY, protected=NOBODY_PROTECTED))
    [name] = deviation.check(configuration, "rolf.ek", checker=checker(), on=TODAY, protected=NOBODY_PROTECTED)
    decisions = {name.key: CONFIRM}
    refused(rules.TextIsSentAsChecked,
            lambda: deviation.send_to_bus(configuration, "rolf.ek", decisions=decisions, checker=checker(), on=TODAY,
                                          description="Gäller Elsa Ek på skolan.", protected=NOBODY_PROTECTED))
    # The register learnt of Ida Ek since the check: the same text is no longer the checked one.
    refused(rules.TextIsSentAsChecked,
            lambda: deviation.send_to_bus(configuration, "rolf.ek", decisions=decisions, checker=checker(["Ida Ek"]), on=TODAY, protected=NOBODY_PROTECTED))
    deviation.collect_events()
    deviation.send_to_bus(configuration, "rolf.ek", decisions=decisions, checker=checker(), on=TODAY, protected=NOBODY_PROTECTED)
    assert type(deviation.collect_events()[-1]).__name__ == "SentToBus"


def test_r22_checking_the_same_text_again_records_nothing_new():
    configuration, deviation = handled("Gäller en elev på skolan.")
    deviation.check(configuration, "rolf.ek", checker=checker(), on=TODAY, protected=NOBODY_PROTECTED)
    assert len(deviation.collect_events()) == 1
    deviation.check(configuration, "rolf.ek", checker=checker(), on=TODAY, protected=NOBODY_PROTECTED)
    assert deviation.collect_events() == []


def test_r22_the_manager_may_rewrite_the_text_and_the_rewritten_text_is_checked():
    configuration, deviation = handled("Gäller elev 20100101-2382 på skolan.")
    deviation.check(configuration, "rolf.ek", checker=checker(), on=TODAY, description="Gäller en elev på skolan.", protected=NOBODY_PROTECTED)
    deviation.send_to_bus(configuration, "rolf.ek", decisions={}, checker=checker(), on=TODAY,
                          description="Gäller en elev på skolan.", protected=NOBODY_PROTECTED)
    assert deviation.collect_events()[-1].description == "Gäller en elev på skolan."
    assert deviation.description == "Gäller elev 20100101-2382 på skolan."  # kept inside the municipality


def test_r22_a_text_naming_someone_whose_name_is_withheld_is_refused_without_saying_whose():
    """The register answered "protected" (a pupil the manager is not granted, R14): the text is
    refused as a whole, nothing is recorded, and the message names no one."""
    configuration, deviation = handled("Gäller Zelmira på skolan.")

    def withheld(text, field):
        start = text.find("Zelmira")
        spans = [(start, start + 7, "protected")] if start >= 0 else []
        return deidentify.check(text, lexicon=LEXICON, registered_spans=spans, field=field, today=TODAY)

    broken = refused(rules.TextNamingSomeoneWhoseNameIsWithheldIsRewrittenFirst,
                     lambda: deviation.check(configuration, "rolf.ek", checker=withheld, on=TODAY, protected=NOBODY_PROTECTED))
    assert "Zelmira" not in broken.message and "skydd" not in broken.message.lower()
    assert deviation.collect_events() == []
    deviation.check(configuration, "rolf.ek", checker=withheld, on=TODAY, description="Gäller en elev på skolan.", protected=NOBODY_PROTECTED)
    assert len(deviation.collect_events()) == 1


# R14 and R17: what a deviation's texts may name, and their disposal ------------------------------
def test_r14_a_deviation_text_naming_a_pupil_with_protected_identity_is_not_stored():
    """Asked of the register with no one's grants: whoever writes it, a text naming a protected
    pupil is refused at its field, with a message that names no one, and nothing is recorded."""
    protected = lambda text: "Zelmira" in text  # noqa: E731 - the register's answer for this test
    for field in ("description", "tried_locally"):
        broken = refused(rules.DeviationTextNamesNoPupilWithProtectedIdentity,
                         lambda: report(**{field: "BUP kom inte till mötet om Zelmira."}, protected=protected))
        assert broken.rule_id == "R14" and broken.fields == {field: broken.message} and "Zelmira" not in broken.message
    configuration, deviation = handled("BUP kom inte till mötet.")
    version = deviation.version
    for step, field in ((lambda: deviation.record_action(configuration, "rolf.ek", "Pratat om Zelmira.", TODAY,
                                                         protected=protected), "action"),
                        (lambda: deviation.record_answer(configuration, "rolf.ek", "Svar om Zelmira.", TODAY,
                                                         protected=protected), "answer"),
                        (lambda: deviation.solve_locally(configuration, "rolf.ek", "Löst för Zelmira.", TODAY,
                                                         protected=protected), "summary"),
                        (lambda: deviation.check(configuration, "rolf.ek", checker=checker(), on=TODAY, protected=protected,
                                                 description="Om Zelmira."), "description")):
        assert list(refused(rules.DeviationTextNamesNoPupilWithProtectedIdentity, step).fields) == [field]
    deviation.collect_events()
    assert deviation.version == version
    # The texts as reported (screened at entry) are checked as they are.
    deviation.check(configuration, "rolf.ek", checker=checker(), on=TODAY, protected=protected)


def test_r17_disposed_texts_are_recorded_once_and_nothing_more_is_written_to_them():
    configuration, deviation = handled("BUP kom inte till mötet.")
    assert deviation.dispose_texts(TODAY) and not deviation.dispose_texts(TODAY)
    [event] = [e for e in deviation.collect_events() if type(e).__name__ == "TextsDisposed"]
    assert vars(event).get("on") == TODAY
    broken = refused(rules.DisposedTextsAreNotWrittenTo,
                     lambda: deviation.record_action(configuration, "rolf.ek", "Nytt", TODAY, protected=NOBODY_PROTECTED))
    assert broken.rule_id == "R17"
    refused(rules.DisposedTextsAreNotWrittenTo,
            lambda: deviation.check(configuration, "rolf.ek", checker=checker(), on=TODAY, protected=NOBODY_PROTECTED))
