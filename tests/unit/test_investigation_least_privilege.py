"""R14, least privilege: the investigation's content (views, assessment, learning environment,
proposal) is for those who take part in it. A teacher sees what she needs to act on; the
investigation only while rektor has invited her, or as its investigator. The domain's rules in
memory, then the cases application on the library's in-memory store (no I/O)."""
from __future__ import annotations

import pytest

from cases.domain.rules import (
    InvestigationIsForThoseTakingPart,
    InvitationIsGivenOnce,
    InvitationNamesATeacherOfTheUnit,
    OnlyAnInvitationCanBeWithdrawn,
    OnlyRektorInvitesToTheInvestigation,
)
from eventkit import authz
from eventkit.identity import Identity, NotPermitted, Role
from tests.unit.workflow import ALL_PARTS, DAY, investigated, investigating, opened

TEACHERS_OF_UNIT = ("anna.lind", "per.holm")


def who(user_id: str, role: Role) -> Identity:
    return Identity(user_id, user_id, role, "0180", ("0180-ENG",))


TEACHER = who("anna.lind", Role.TEACHER)
OTHER_TEACHER = who("per.holm", Role.TEACHER)
REKTOR = who("rolf.ek", Role.REKTOR)
SPECIAL_EDUCATOR = who("sara.berg", Role.SPECIAL_EDUCATOR)
COUNSELLOR = who("tomas.ahl", Role.EHT_MEMBER)
SECRET = "Pedagogisk bedömning: beskrivet."  # one of ALL_PARTS' texts


# -- the domain ---------------------------------------------------------------------------------
def test_r14_only_rektor_invites_a_named_teacher_of_the_unit_once_and_withdraws_it():
    case = investigating()
    with pytest.raises(OnlyRektorInvitesToTheInvestigation):
        case.invite_to_investigation(teacher="anna.lind", invited_by="sara.berg", by_rektor=False,
                                     teachers_of_unit=TEACHERS_OF_UNIT, on=DAY)
    for outsider in ("", "karin.holm", "sara.berg"):  # nobody, not at the unit, not a teacher
        with pytest.raises(InvitationNamesATeacherOfTheUnit) as refused:
            case.invite_to_investigation(teacher=outsider, invited_by="rolf.ek", by_rektor=True,
                                         teachers_of_unit=TEACHERS_OF_UNIT, on=DAY)
        assert refused.value.rule_id == "R14" and "user_id" in refused.value.fields
    case.invite_to_investigation(teacher="anna.lind", invited_by="rolf.ek", by_rektor=True,
                                 teachers_of_unit=TEACHERS_OF_UNIT, on=DAY)
    with pytest.raises(InvitationIsGivenOnce):
        case.invite_to_investigation(teacher="anna.lind", invited_by="rolf.ek", by_rektor=True,
                                     teachers_of_unit=TEACHERS_OF_UNIT, on=DAY)
    with pytest.raises(OnlyRektorInvitesToTheInvestigation):
        case.withdraw_invitation(teacher="anna.lind", withdrawn_by="anna.lind", by_rektor=False, on=DAY)
    with pytest.raises(OnlyAnInvitationCanBeWithdrawn):
        case.withdraw_invitation(teacher="per.holm", withdrawn_by="rolf.ek", by_rektor=True, on=DAY)
    case.withdraw_invitation(teacher="anna.lind", withdrawn_by="rolf.ek", by_rektor=True, on=DAY)
    events = [(type(e).__name__, e.teacher) for e in case.collect_events()
              if type(e).__name__ in ("InvitedToInvestigation", "InvitationWithdrawn")]
    assert events == [("InvitedToInvestigation", "anna.lind"), ("InvitationWithdrawn", "anna.lind")]


def test_r14_the_investigation_is_seen_by_role_or_by_taking_part_in_it():
    case = investigating()  # sara.berg investigates
    assert case.investigation_visible_to("rolf.ek", by_role=True)
    assert not case.investigation_visible_to("anna.lind", by_role=False)
    assert case.investigation_visible_to("sara.berg", by_role=False)  # its investigator, whatever her role
    case.invite_to_investigation(teacher="anna.lind", invited_by="rolf.ek", by_rektor=True,
                                 teachers_of_unit=TEACHERS_OF_UNIT, on=DAY)
    assert case.investigation_visible_to("anna.lind", by_role=False)
    assert not case.investigation_visible_to("per.holm", by_role=False)
    case.withdraw_invitation(teacher="anna.lind", withdrawn_by="rolf.ek", by_rektor=True, on=DAY)
    assert not case.investigation_visible_to("anna.lind", by_role=False)


def test_r14_one_not_taking_part_neither_writes_nor_corrects_the_investigation():
    case = investigating()
    with pytest.raises(InvestigationIsForThoseTakingPart):
        case.record_investigation(ALL_PARTS, recorded_by="anna.lind", taking_part=False)
    with pytest.raises(InvestigationIsForThoseTakingPart):
        case.conclude_investigation(proposal="Program", concluded_by="anna.lind", on=DAY, taking_part=False)
    case = investigated()
    version = next(v for v, (kind, _) in case.entries.items() if kind == "investigation")
    with pytest.raises(InvestigationIsForThoseTakingPart):
        case.correct(corrects_version=version, value="Ny text", reason="Fel", corrected_by="anna.lind", today=DAY,
                     sees_investigation=False)
    adaptation = next(v for v, (kind, _) in case.entries.items() if kind == "adaptation")
    case.correct(corrects_version=adaptation, value="Förlängd tid", reason="Fel ord", corrected_by="anna.lind",
                 today=DAY, sees_investigation=False)  # her own part of the case stays hers


def test_r14_the_policy_gives_the_investigation_to_special_educators_the_team_and_rektor():
    assert [authz.allows(w, "cases.read_investigation") for w in (TEACHER, SPECIAL_EDUCATOR, COUNSELLOR, REKTOR)] == [
        False, True, True, True]
    assert [authz.allows(w, "cases.invite") for w in (TEACHER, SPECIAL_EDUCATOR, REKTOR)] == [False, False, True]


def test_r17_the_invitation_events_hold_no_personal_data():
    from cases.personal_data import PERSONAL_FIELDS, STRUCTURE

    case = opened()
    case.invite_to_investigation(teacher="anna.lind", invited_by="rolf.ek", by_rektor=True,
                                 teachers_of_unit=TEACHERS_OF_UNIT, on=DAY)
    case.withdraw_invitation(teacher="anna.lind", withdrawn_by="rolf.ek", by_rektor=True, on=DAY)
    for event in case.collect_events()[1:]:
        assert not set(vars(event)) - STRUCTURE - set(PERSONAL_FIELDS.get(type(event), ())), type(event).__qualname__


# -- the application, in memory --------------------------------------------------------------------
@pytest.fixture
def app(monkeypatch):
    for name, value in {"POSTGRES_USER": "unused", "POSTGRES_PASSWORD": "unused", "CASES_DB": "unused"}.items():
        monkeypatch.setenv(name, value)
    from cases.application import CasesApplication

    return CasesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def teachers(municipality: str, school_unit: str) -> tuple[str, ...]:
    return TEACHERS_OF_UNIT if (municipality, school_unit) == ("0180", "0180-ENG") else ()


def an_investigated_case(app):
    from tests.support.pupils import register_pupil

    case_id = app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil("201001012382", "Elev Utredd")).case_id
    app.record_extra_adaptation(TEACHER, case_id, "Extra tid på prov")
    app.refer_to_rektor(TEACHER, case_id, tried_adaptations="Extra tid", why_not_enough="Räcker inte")
    app.start_investigation(REKTOR, case_id, investigator="sara.berg", student_health_team=False,
                            without_team_reason="Elevhälsan har redan kartlagt")
    app.record_investigation(SPECIAL_EDUCATOR, case_id, parts=ALL_PARTS)
    app.conclude_investigation(SPECIAL_EDUCATOR, case_id, proposal="Förslag: upprätta åtgärdsprogram")
    return case_id


def everything_the_teacher_reads(app, teacher, case_id) -> str:
    return str(app.case_details(teacher, case_id)) + str(app.history(teacher, case_id)) + str(
        app.case_as_of(teacher, case_id, app.today()))


def test_r14_a_teacher_reads_the_case_without_the_investigation_until_rektor_invites_her(app):
    case_id = an_investigated_case(app)
    texts = [SECRET, "Förslag: upprätta", "Elevhälsan har redan kartlagt"]
    for reader in (REKTOR, SPECIAL_EDUCATOR, COUNSELLOR):  # they keep what they had
        seen = everything_the_teacher_reads(app, reader, case_id)
        assert all(text in seen for text in texts) and not app.case_details(reader, case_id)["investigation_withheld"]

    case = app.case_details(TEACHER, case_id)
    seen = everything_the_teacher_reads(app, TEACHER, case_id)
    assert not any(text in seen for text in texts)
    assert case["investigation_withheld"] and case["investigation"]["withheld"]
    assert case["investigation"]["investigator"] == "sara.berg" and case["investigation"]["concluded_on"]
    assert case["extra_adaptations"][0]["description"] == "Extra tid på prov" and case["referral"]["why_not_enough"]
    assert "investigation" not in case["correctable"].values()
    withheld = [e["event_type"] for e in app.history(TEACHER, case_id) if e.get("withheld")]
    assert withheld == ["InvestigationStarted", "InvestigationRecorded", "InvestigationConcluded"]
    part = next(v for v, kind in app.case_details(REKTOR, case_id)["correctable"].items() if kind == "investigation")
    with pytest.raises(InvestigationIsForThoseTakingPart):
        app.correct(TEACHER, case_id, corrects_version=int(part), value="Ny text", reason="Fel")

    with pytest.raises(NotPermitted):
        app.invite_to_investigation(SPECIAL_EDUCATOR, case_id, user_id="anna.lind", teachers=teachers)
    app.invite_to_investigation(REKTOR, case_id, user_id="anna.lind", teachers=teachers)
    seen = everything_the_teacher_reads(app, TEACHER, case_id)
    assert all(text in seen for text in texts) and not app.case_details(TEACHER, case_id)["investigation_withheld"]
    assert SECRET not in everything_the_teacher_reads(app, OTHER_TEACHER, case_id)  # her colleague: not invited

    app.withdraw_invitation(REKTOR, case_id, user_id="anna.lind")
    assert not any(text in everything_the_teacher_reads(app, TEACHER, case_id) for text in texts)
    changes = [(e["event_type"], e["data"]["teacher"], e["actor"]) for e in app.history(TEACHER, case_id)
               if e["event_type"] in ("InvitedToInvestigation", "InvitationWithdrawn")]
    assert [c[:2] for c in changes] == [("InvitedToInvestigation", "anna.lind"), ("InvitationWithdrawn", "anna.lind")]


def test_r14_a_teacher_who_investigates_sees_and_writes_the_investigation(app):
    from tests.support.pupils import register_pupil

    case_id = app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil("201001012382", "Elev Lärare")).case_id
    app.refer_to_rektor(TEACHER, case_id, special_reason="Akut behov")
    app.start_investigation(REKTOR, case_id, investigator="per.holm", student_health_team=True)
    app.record_investigation(OTHER_TEACHER, case_id, parts={"pupil_view": "Eleven vill ha lugn miljö"})
    assert app.case_details(OTHER_TEACHER, case_id)["investigation"]["parts"] == {"pupil_view": "Eleven vill ha lugn miljö"}
    with pytest.raises(InvestigationIsForThoseTakingPart):
        app.record_investigation(TEACHER, case_id, parts={"school_view": "Skolans syn"})
