"""The documentation of special-educational interventions (seed §6, §8; R3, R14, R16), in
memory: no database, no broker, no cases service."""
from datetime import date
from uuid import uuid4

import pytest

from documentation.domain import rules
from documentation.domain.model import Intervention
import deidentify
from documentation.domain.values import CaseReference, term_of
from documentation.views import development_overview

TODAY = date(2026, 3, 10)
CASE = CaseReference(uuid4(), "0180", "0180-ENG", open_investigation=1)
CASE_WITHOUT_INVESTIGATION = CaseReference(uuid4(), "0180", "0180-ENG", open_investigation=None)


def record(**changes) -> Intervention:
    fields = dict(
        municipality="0180", school_unit="0180-ENG", special_educator="sara.berg", level="group",
        kind="supervision", performed_on=date(2026, 3, 2), minutes=60, hinders=["structure"],
        supports=["staffing"], hinders_note="Otydliga övergångar mellan lektioner.", supports_note="",
        description="Handledning av arbetslaget i 7B.", group="7B", today=TODAY, names_in=names_in,
    )
    fields.update(changes)
    return Intervention.record(**fields)


# The municipality's register, as the cases service's name check matches it (deidentify, ADR 0022).
REGISTER = deidentify.Register.of(["Kalle Lindqvist", "Ida Andersson", "Mohammed Omar"])


def names_in(texts: dict[str, str]) -> set[str]:
    return {field for field, text in texts.items()
            if deidentify.register_matches(deidentify.normalise(text).text, REGISTER)}


def correct(intervention: Intervention, **changes) -> None:
    fields = {**intervention.content(), "reason": "Fel antal minuter.", "corrected_by": "sara.berg", "today": TODAY,
              "names_in": names_in}
    fields.update(changes)
    intervention.correct(**fields)


def test_an_intervention_records_level_target_kind_date_time_and_the_learning_environment():
    intervention = record()
    assert (intervention.level, intervention.group, intervention.kind) == ("group", "7B", "supervision")
    assert (intervention.performed_on, intervention.minutes, intervention.term) == (date(2026, 3, 2), 60, "VT2026")
    assert (intervention.hinders, intervention.supports) == (["structure"], ["staffing"])
    assert intervention.case_id is None


def test_bad_input_is_refused_with_a_message_per_field():
    with pytest.raises(rules.InvalidIntervention) as refused:
        record(level="class", kind="therapy", performed_on=date(2026, 4, 1), minutes=0, hinders=["noise"], supports=[])
    assert set(refused.value.fields) == {"level", "kind", "performed_on", "minutes", "hinders"}
    assert "framtiden" in refused.value.fields["performed_on"]


def test_the_documentation_names_at_least_one_hinder_or_support():
    with pytest.raises(rules.InvalidIntervention) as refused:
        record(hinders=[], supports=[])
    assert "minst ett hinder eller ett stöd" in refused.value.fields["hinders"]
    assert record(hinders=[], supports=["materials"]).supports == ["materials"]


def test_a_group_intervention_names_its_group():
    with pytest.raises(rules.InvalidIntervention) as refused:
        record(group="  ")
    assert set(refused.value.fields) == {"group"}


def test_an_organisation_intervention_targets_the_school_unit_and_no_case():
    assert record(level="organisation", group="7B").group == ""
    with pytest.raises(rules.InvalidIntervention) as refused:
        record(level="organisation", case=CASE)
    assert set(refused.value.fields) == {"case_id"}


def test_r14_an_individual_intervention_belongs_to_a_pupils_case():
    with pytest.raises(rules.IndividualInterventionBelongsToAPupilsCase) as refused:
        record(level="individual")
    assert refused.value.rule_id == "R14" and refused.value.fields == {"case_id": refused.value.message}
    linked = record(level="individual", kind="teaching", case=CASE)
    assert linked.case_id == str(CASE.case_id) and linked.investigation is None


def test_r14_the_case_belongs_to_the_interventions_school_unit():
    elsewhere = CaseReference(uuid4(), "0180", "0180-KAT", open_investigation=None)
    with pytest.raises(rules.CaseBelongsToTheInterventionsSchoolUnit):
        record(level="individual", case=elsewhere)


def test_r14_organisation_and_group_notes_carry_no_personal_identity_number():
    with pytest.raises(rules.OrganisationAndGroupNotesNameNoPupil) as refused:
        record(description="Gäller eleven 20100312-1234 i 7B.")
    assert refused.value.rule_id == "R14" and "description" in refused.value.fields
    # In the pupil's own case the text is confidential pupil documentation, as in the case itself.
    assert record(level="individual", case=CASE, description="Se 20100312-1234.").description


@pytest.mark.parametrize("field, text", [
    ("description", "Samtal med Kalle Lindqvist och hans mentor om rasterna i 7B."),
    ("description", "Kalles klass behöver tydligare övergångar."),  # the genitive, the first name alone
    ("hinders_note", "Ida A. har svårt med bullret i matsalen."),
    ("group", "7B (Mohammad Omars grupp)"),  # another spelling, in the group's name
])
def test_r14_organisation_and_group_notes_name_no_pupil_of_the_register(field, text):
    """Above pupil level a text is under no pupil's key, so it would outlive the pupil's disposal (R17):
    a registered pupil's name is refused there, next to the field, with a message that names no one."""
    with pytest.raises(rules.OrganisationAndGroupNotesNameNoPupil) as refused:
        record(**{field: text})
    assert list(refused.value.fields) == [field] and "Kalle" not in refused.value.fields[field]
    corrected = record()
    with pytest.raises(rules.OrganisationAndGroupNotesNameNoPupil):
        correct(corrected, **{field: text})
    assert corrected.version == 1  # nothing stored
    # The same words about a pupil who is in no register, and in the pupil's own case, are kept.
    assert record(description="Samtal med klassen om rasterna i 7B.").description
    assert record(level="individual", case=CASE, description=text if field != "group" else "x").level == "individual"


def test_r3_an_assessment_or_mapping_is_attached_to_the_open_investigation():
    attached = record(level="individual", kind="pedagogical_assessment", case=CASE, attach_to_investigation=True)
    assert attached.investigation == 1
    assert record(level="individual", kind="mapping", case=CASE, attach_to_investigation=True).investigation == 1


def test_r3_attaching_needs_an_investigation_under_way():
    with pytest.raises(rules.InvestigationMustBeOpenToAttach) as refused:
        record(level="individual", kind="mapping", case=CASE_WITHOUT_INVESTIGATION, attach_to_investigation=True)
    assert refused.value.rule_id == "R3"


def test_r3_only_assessments_and_mappings_are_attached_to_the_investigation():
    with pytest.raises(rules.OnlyAssessmentsAndMappingsAreAttachedToTheInvestigation) as refused:
        record(level="individual", kind="teaching", case=CASE, attach_to_investigation=True)
    assert refused.value.rule_id == "R3"


def test_r3_an_attached_intervention_stays_an_assessment_or_mapping_when_corrected():
    attached = record(level="individual", kind="pedagogical_assessment", case=CASE, attach_to_investigation=True)
    with pytest.raises(rules.AttachedInterventionStaysAnAssessmentOrMapping):
        correct(attached, kind="teaching")
    correct(attached, kind="mapping")
    assert attached.kind == "mapping"


def test_r16_a_correction_is_a_new_event_that_names_what_it_corrects():
    intervention = record()
    correct(intervention, minutes=45, hinders=["structure", "physical"])
    events = intervention.collect_events()
    assert [type(e).__name__ for e in events] == ["Recorded", "Corrected"]
    assert events[0].minutes == 60, "the recorded event is unchanged"
    assert events[1].corrects_version == 1 and events[1].changes == {"minutes": 45, "hinders": ["structure", "physical"]}
    assert intervention.minutes == 45
    assert intervention.corrections[0]["before"] == {"minutes": 60, "hinders": ["structure"]}


def test_r16_a_correction_needs_a_reason_and_a_change():
    intervention = record()
    with pytest.raises(rules.CorrectionNeedsAReason) as refused:
        correct(intervention, minutes=45, reason=" ")
    assert refused.value.rule_id == "R16"
    with pytest.raises(rules.CorrectionMustChangeSomething):
        correct(intervention)
    with pytest.raises(rules.InvalidIntervention):
        correct(intervention, minutes=-5)
    assert intervention.version == 1, "nothing was recorded"


def test_r16_a_withdrawn_intervention_stays_in_the_history_and_cannot_be_changed():
    intervention = record()
    intervention.withdraw(reason="Dokumenterad två gånger.", withdrawn_by="sara.berg", today=TODAY)
    assert intervention.withdrawn["corrects_version"] == 1
    with pytest.raises(rules.WithdrawnInterventionStaysWithdrawn):
        correct(intervention, minutes=45)
    with pytest.raises(rules.WithdrawnInterventionStaysWithdrawn):
        intervention.withdraw(reason="Igen.", withdrawn_by="sara.berg", today=TODAY)


def test_school_terms_run_january_to_july_and_august_to_december():
    assert (term_of(date(2026, 1, 8)), term_of(date(2026, 7, 31)), term_of(date(2026, 8, 1))) == ("VT2026", "VT2026", "HT2026")


def test_the_development_overview_counts_levels_kinds_terms_and_recurring_hinders_and_supports():
    interventions = [
        record(),
        record(level="organisation", kind="learning_environment", minutes=90, hinders=["structure", "physical"]),
        record(level="individual", kind="teaching", case=CASE, minutes=30, hinders=["structure"], supports=["materials"]),
        record(performed_on=date(2025, 10, 1), hinders=["social"]),
    ]
    withdrawn = record(hinders=["social"])
    withdrawn.withdraw(reason="Fel.", withdrawn_by="sara.berg", today=TODAY)
    overview = development_overview(interventions + [withdrawn], term="VT2026")
    assert overview["terms"] == ["VT2026", "HT2025"]
    assert overview["count"] == 3 and overview["minutes"] == 180
    assert overview["by_level"] == {"organisation": {"count": 1, "minutes": 90}, "group": {"count": 1, "minutes": 60},
                                    "individual": {"count": 1, "minutes": 30}}
    assert overview["by_kind"]["supervision"] == {"count": 1, "minutes": 60}
    assert overview["hinders"][0] == ("structure", 3), "the obstacle that recurs most comes first"
    assert dict(overview["supports"]) == {"staffing": 2, "materials": 1}
    assert overview["by_term"] == [{"term": "HT2025", "count": 1, "minutes": 60}, {"term": "VT2026", "count": 3, "minutes": 180}]
