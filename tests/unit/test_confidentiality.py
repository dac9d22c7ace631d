"""R14: least privilege, protected identity (skyddad identitet) and the medical domain.

The domain rules in memory, and the cases application on the library's in-memory store
(no I/O) to prove who sees what: every "may not see" is the same "not found"."""
from __future__ import annotations

from pathlib import Path

import pytest

from cases.domain.medical import MedicalRecord
from cases.domain.rules import (
    AProtectedCaseKeepsSomeoneWithAccess,
    AccessIsGrantedOnlyToAProtectedPupilsCase,
    GrantIsGivenOnce,
    MedicalEntryNeedsText,
    OnlyMedicalStaffKeepTheMedicalRecord,
    OnlyRektorDecidesOnProtectedIdentity,
    ProtectedIdentityIsMarkedOnce,
)
from eventkit import authz
from eventkit.identity import Identity, NotPermitted, Role, sign, verify
from tests.unit.workflow import DAY, opened

ROOT = Path(__file__).resolve().parents[2]


def who(user_id: str, role: Role, *units: str, municipality: str = "0180", medical: bool = False) -> Identity:
    return Identity(user_id, user_id, role, municipality, units or ("0180-ENG",), medical=medical)


TEACHER = who("anna.lind", Role.TEACHER)
REKTOR = who("rolf.ek", Role.REKTOR)
NURSE = who("eva.nord", Role.EHT_MEMBER, medical=True)
COUNSELLOR = who("tomas.ahl", Role.EHT_MEMBER)
SPECIAL_EDUCATOR = who("sara.berg", Role.SPECIAL_EDUCATOR, "0180-ENG", "0180-KAT")
OTHER_UNIT_REKTOR = who("karin.holm", Role.REKTOR, "0180-KAT")
SOLNA_NURSE = who("nils.solna", Role.EHT_MEMBER, "0184-TAL", municipality="0184", medical=True)
ADMIN = who("lars.moberg", Role.MUNICIPALITY_ADMIN, "0180-ENG", "0180-KAT")


# -- the domain ---------------------------------------------------------------------------------
def test_r14_only_rektor_marks_a_pupil_as_protected_and_only_once():
    case = opened()
    with pytest.raises(OnlyRektorDecidesOnProtectedIdentity):
        case.mark_protected(marked_by="anna.lind", by_rektor=False, on=DAY)
    case.mark_protected(marked_by="rolf.ek", by_rektor=True, on=DAY)
    assert case.protected and case.granted_to == ("rolf.ek",)
    with pytest.raises(ProtectedIdentityIsMarkedOnce):
        case.mark_protected(marked_by="rolf.ek", by_rektor=True, on=DAY)


def test_r14_grants_and_revocations_are_rektors_and_events_that_name_who_granted():
    case = opened()
    with pytest.raises(AccessIsGrantedOnlyToAProtectedPupilsCase):
        case.grant_access(user="sara.berg", granted_by="rolf.ek", by_rektor=True, on=DAY)
    case.mark_protected(marked_by="rolf.ek", by_rektor=True, on=DAY)
    with pytest.raises(OnlyRektorDecidesOnProtectedIdentity):
        case.grant_access(user="anna.lind", granted_by="sara.berg", by_rektor=False, on=DAY)
    case.grant_access(user="sara.berg", granted_by="rolf.ek", by_rektor=True, on=DAY)
    with pytest.raises(GrantIsGivenOnce):
        case.grant_access(user="sara.berg", granted_by="rolf.ek", by_rektor=True, on=DAY)
    case.revoke_access(user="sara.berg", revoked_by="rolf.ek", by_rektor=True, on=DAY)
    assert not case.may_see("sara.berg") and case.may_see("rolf.ek")
    with pytest.raises(AProtectedCaseKeepsSomeoneWithAccess):
        case.revoke_access(user="rolf.ek", revoked_by="rolf.ek", by_rektor=True, on=DAY)
    changes = [(type(e).__name__, e.user, e.changed_by) for e in case.collect_events()
               if type(e).__name__ in ("ProtectedIdentityMarked", "AccessGranted", "AccessRevoked")]
    assert changes == [("ProtectedIdentityMarked", "rolf.ek", "rolf.ek"), ("AccessGranted", "sara.berg", "rolf.ek"),
                       ("AccessRevoked", "sara.berg", "rolf.ek")]


def test_r14_only_medical_staff_write_the_medical_record():
    record = MedicalRecord(case_id=opened().id)
    with pytest.raises(OnlyMedicalStaffKeepTheMedicalRecord):
        record.record_entry(text="Hörseltest", recorded_by="rolf.ek", by_medical_staff=False, on=DAY)
    with pytest.raises(MedicalEntryNeedsText):
        record.record_entry(text="  ", recorded_by="eva.nord", by_medical_staff=True, on=DAY)
    record.record_entry(text="Hörseltest utan anmärkning", recorded_by="eva.nord", by_medical_staff=True, on=DAY)
    assert record.entries[0]["recorded_by"] == "eva.nord"


# -- the identity and the policy ---------------------------------------------------------------------
def test_r14_the_medical_claim_is_signed_and_defaults_to_non_medical(monkeypatch):
    monkeypatch.setenv("IDENTITY_SIGNING_KEY", "unit-test-key")
    assert verify(sign(NURSE, audience="cases", caller="frontend"), audience="cases").identity.medical is True
    assert verify(sign(COUNSELLOR, audience="cases", caller="frontend"), audience="cases").identity.medical is False
    claims = {k: v for k, v in TEACHER.to_claims().items() if k != "medical"}  # signed before R14
    assert Identity.from_claims(claims).medical is False


def test_r14_policy_roles_medical_domain_and_units():
    assert authz.allows(NURSE, "cases.medical")
    for non_medical in (REKTOR, COUNSELLOR, TEACHER, SPECIAL_EDUCATOR, ADMIN):
        assert not authz.allows(non_medical, "cases.medical")
    assert not authz.allows(ADMIN, "cases.read")  # administration and log checks, not case contents
    assert authz.allows(ADMIN, "cases.delegations.read")
    assert not authz.allows(who("birgitta.sund", Role.BUS_SECRETARIAT, municipality="00"), "deviations.read")
    assert [r for r in Role if authz.allows(who("x", r), "county.read")] == [Role.BUS_SECRETARIAT]
    assert authz.units_in_scope(SPECIAL_EDUCATOR, None) == ["0180-ENG", "0180-KAT"]
    assert authz.units_in_scope(SPECIAL_EDUCATOR, "0180-KAT") == ["0180-KAT"]
    with pytest.raises(NotPermitted):
        authz.units_in_scope(REKTOR, "0180-KAT")  # a query parameter never widens the identity


def test_the_policy_table_in_the_architecture_document_is_the_one_in_the_code():
    assert authz.policy_table() in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


# -- the application, in memory --------------------------------------------------------------------
@pytest.fixture
def app(monkeypatch):
    for name, value in {"POSTGRES_USER": "unused", "POSTGRES_PASSWORD": "unused", "CASES_DB": "unused"}.items():
        monkeypatch.setenv(name, value)
    from cases.application import CasesApplication

    return CasesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def _a_case(app) -> object:
    from tests.support.pupils import register_pupil

    return app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil("201001012382", "Elev Skyddad")).case_id


def test_r14_a_protected_pupil_is_not_found_by_ungranted_colleagues_of_the_same_unit(app):
    from cases.application import CaseNotFound

    case_id = _a_case(app)
    app.mark_protected(REKTOR, case_id)
    app.grant_access(REKTOR, case_id, user_id=SPECIAL_EDUCATOR.user_id)
    assert app.case_details(SPECIAL_EDUCATOR, case_id)["pupil_name"] == "Elev Skyddad"
    for ungranted in (TEACHER, COUNSELLOR, NURSE):  # the teacher opened it; still not granted
        for query in (app.case_details, app.history, app.protection):
            with pytest.raises(CaseNotFound):
                query(ungranted, case_id)
        with pytest.raises(CaseNotFound):
            app.record_extra_adaptation(ungranted, case_id, "Extra tid")
    history = app.protection(REKTOR, case_id)["history"]
    assert [(h["change"], h["user_id"], h["changed_by"]) for h in history] == [
        ("ProtectedIdentityMarked", "rolf.ek", "rolf.ek"), ("AccessGranted", "sara.berg", "rolf.ek")]
    app.revoke_access(REKTOR, case_id, user_id=SPECIAL_EDUCATOR.user_id)
    with pytest.raises(CaseNotFound):
        app.case_details(SPECIAL_EDUCATOR, case_id)


def test_r14_only_rektor_of_the_unit_protects_and_grants(app):
    from cases.application import CaseNotFound

    case_id = _a_case(app)
    with pytest.raises(NotPermitted):
        app.mark_protected(TEACHER, case_id)
    with pytest.raises(CaseNotFound):
        app.mark_protected(OTHER_UNIT_REKTOR, case_id)
    app.mark_protected(REKTOR, case_id)
    with pytest.raises(NotPermitted):
        app.grant_access(SPECIAL_EDUCATOR, case_id, user_id=SPECIAL_EDUCATOR.user_id)


def test_r14_the_medical_record_is_invisible_to_rektor_and_the_non_medical_team(app):
    from cases.application import CaseNotFound
    from cases.confidential import Hidden

    case_id = _a_case(app)
    app.record_medical_entry(NURSE, case_id, text="Synundersökning: glasögon behövs")
    assert [e["text"] for e in app.medical_record(NURSE, case_id)["entries"]] == ["Synundersökning: glasögon behövs"]
    for non_medical in (REKTOR, COUNSELLOR, TEACHER, SPECIAL_EDUCATOR):
        with pytest.raises(Hidden):
            app.medical_record(non_medical, case_id)
        with pytest.raises(Hidden):
            app.record_medical_entry(non_medical, case_id, text="försök")
    with pytest.raises(CaseNotFound):
        app.medical_record(SOLNA_NURSE, case_id)
    # Nothing of it in the case rektor reads, nor in its history.
    seen = str(app.case_details(REKTOR, case_id)) + str(app.history(REKTOR, case_id))
    assert "Synundersökning" not in seen


def test_r14_municipality_admin_reads_no_case_contents(app):
    case_id = _a_case(app)
    with pytest.raises(NotPermitted):
        app.case_details(ADMIN, case_id)
    assert app.delegations(ADMIN, "0180-ENG")["school_unit"] == "0180-ENG"


def test_r17_every_field_of_the_protection_and_medical_events_is_marked_personal_or_structure():
    from cases.personal_data import PERSONAL_FIELDS, STRUCTURE

    case = opened()
    case.mark_protected(marked_by="rolf.ek", by_rektor=True, on=DAY)
    case.grant_access(user="sara.berg", granted_by="rolf.ek", by_rektor=True, on=DAY)
    case.revoke_access(user="sara.berg", revoked_by="rolf.ek", by_rektor=True, on=DAY)
    record = MedicalRecord(case_id=case.id, pupil_ref="ref")
    record.record_entry(text="Hörseltest", recorded_by="eva.nord", by_medical_staff=True, on=DAY)
    for event in case.collect_events()[1:] + record.collect_events():
        unmarked = set(vars(event)) - STRUCTURE - set(PERSONAL_FIELDS.get(type(event), ()))
        assert not unmarked, f"{type(event).__qualname__}: {unmarked}"
    assert PERSONAL_FIELDS[MedicalRecord.EntryRecorded] == ("text",)
