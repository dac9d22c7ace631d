"""R9 in the history (frontend.case_history): each step of a decision's delivery and appeal as
a Swedish sentence with the guardians by name, the dates in words and the law, built from the
domain's own events. Never a guardian's id."""
from __future__ import annotations

from datetime import timedelta

from cases.domain.appeal import BoardOutcome, SentBackTo
from cases.domain.decision import DecisionKind
from frontend.case_history import Names, history_lines
from frontend.parties import Parties
from tests.unit.test_case_history_sentences import STAFF, UNITS, UUID, timeline, unreadable
from tests.unit.workflow import DAY, FATHER, MOTHER, TODAY, appeal, received, young_case

PARTIES = Parties(pupil="Elev Yngre", guardians=["Anna Exempel", "Johan Exempel"],
                  guardian_ids=[MOTHER.split(":", 1)[1], FATHER.split(":", 1)[1]])
NAMES = Names(person=STAFF.get, unit=UNITS.get, party=PARTIES.label)


def sentences(case) -> list:
    events = case.collect_events()
    return list(zip([type(e).__name__ for e in events], history_lines(timeline(events), NAMES)))


def first(pairs, event_type):
    return next(line for kind, line in pairs if kind == event_type)


def test_r9_a_receipt_names_the_guardian_how_when_and_their_last_day_with_fl_44():
    pairs = sentences(received(young_case(), (MOTHER, DAY)))
    line = first(pairs, "DecisionReceived")
    assert line.sentence == ("Vårdnadshavaren Anna Exempel fick beslut 1 med post den 8 september 2026; sista dag att "
                             "överklaga är 29 september 2026. Registrerat av Rolf Ek.")
    assert line.rule == "R9, förvaltningslagen 44 §"


def test_r9_a_late_appeal_its_rejection_and_a_corrected_receipt_read_with_fl_45():
    case = appeal(received(young_case(), (MOTHER, DAY), (FATHER, DAY)), DAY + timedelta(weeks=4))
    case.reject_late_appeal(appeal_number=1, reasons="Kom in en vecka för sent.", decided_by="rolf.ek", by_rektor=True, on=TODAY)
    receipt = next(v for v, (kind, _) in case.entries.items() if kind == "receipt")
    case.correct(corrects_version=receipt, value=(DAY + timedelta(days=1)).isoformat(), reason="Fel datum",
                 corrected_by="rolf.ek", today=TODAY)
    pairs = sentences(case)

    registered = first(pairs, "AppealRegistered").sentence
    assert registered.startswith("Vårdnadshavaren Anna Exempel och vårdnadshavaren Johan Exempel överklagade beslut 1; "
                                 "överklagandet kom in till skolan den 6 oktober 2026, för sent: sista dag var 29 september 2026.")
    assert "förvaltningslagen 45 §" in registered and "den andra behöver" not in registered
    rejected = first(pairs, "AppealRejected")
    assert rejected.sentence.startswith("Rolf Ek beslutade den 7 november 2026 att avvisa överklagande nr 1 av beslut 1 eftersom "
                                        "det kom in för sent (förvaltningslagen 45 §). Skäl: ”Kom in en vecka för sent.”.")
    assert rejected.rule == "R9, förvaltningslagen 45 §"
    corrected = first(pairs, "Corrected").sentence
    assert corrected == ("Rättelse: Dagen då vårdnadshavaren Anna Exempel fick beslut 1 ändrades från 8 september 2026 till "
                         "9 september 2026, av Rolf Ek, skäl: ”Fel datum”. Sista dag att överklaga för vårdnadshavaren Anna "
                         "Exempel är nu 30 september 2026.")


def test_r9_a_late_appeal_delayed_by_the_school_is_examined_and_says_so():
    case = appeal(received(young_case(), (MOTHER, DAY), (FATHER, DAY)), DAY + timedelta(weeks=4), delay_caused_by_school=True)
    registered = first(sentences(case), "AppealRegistered").sentence
    assert "efter sista dagen 29 september 2026, men förseningen orsakades av skolan och överklagandet prövas ändå" in registered


def test_r9_one_guardian_then_a_reconsideration_in_full_lapses_the_appeal_with_fl_37_39():
    case = appeal(young_case(), DAY + timedelta(days=2), appellants=(MOTHER,))
    case.note_one_guardian_suffices(appeal_number=1, reason="Ensam vårdnad.", recorded_by="rolf.ek")
    case.change_on_reconsideration(appeal_number=1, kind=DecisionKind.NO_PROGRAMME, reasons="Som begärt.", in_full=True,
                                   decided_by="rolf.ek", by_rektor=True, on=DAY + timedelta(days=3))
    pairs = sentences(case)
    assert "den andra behöver ansluta sig" in first(pairs, "AppealRegistered").sentence
    assert first(pairs, "OneGuardianSuffices").sentence == (
        "Rolf Ek antecknade att en vårdnadshavares överklagande räcker för överklagande nr 1. Skäl: ”Ensam vårdnad.”.")
    reconsidered = first(pairs, "DecisionReconsidered")
    assert reconsidered.sentence == (
        "Rolf Ek omprövade beslut 1 med anledning av överklagande nr 1 och ändrade det den 11 september 2026 "
        "(förvaltningslagen 37–39 §§): nytt beslut 2, att inte upprätta åtgärdsprogram. Skäl: ”Som begärt.”. "
        "Beslutet ändrades helt som den som överklagade begärde, så överklagandet förföll.")
    assert reconsidered.rule == "R9, förvaltningslagen 37–39 §§"


def _to_the_board(outcome, sent_back_to=None, forwarded_after=5):
    case = appeal(young_case(DecisionKind.NO_PROGRAMME), DAY + timedelta(days=2))
    case.forward_appeal(appeal_number=1, forwarded_on=DAY + timedelta(days=2 + forwarded_after), comments="Står fast.",
                        documents=["Överklagandet", "Det överklagade beslutet"], forwarded_by="rolf.ek", today=TODAY)
    case.record_board_decision(appeal_number=1, outcome=outcome, decided_on=TODAY, reasons="Nämndens skäl.",
                               sent_back_to=sent_back_to,
                               kind=DecisionKind.ESTABLISH_PROGRAMME if outcome is BoardOutcome.CHANGED else None,
                               recorded_by="rolf.ek", today=TODAY)
    return sentences(case)


def test_r9_forwarding_late_lists_the_documents_and_the_boards_three_outcomes_read_as_the_board_decided():
    late = _to_the_board(BoardOutcome.UPHELD, forwarded_after=9)
    forwarded = first(late, "AppealForwarded")
    assert forwarded.sentence == (
        "Rolf Ek lämnade den 19 september 2026 överklagande nr 1 vidare till Skolväsendets överklagandenämnd "
        "(skollagen 28 kap. 16 §), senare än inom en vecka: det skulle ha lämnats senast 17 september 2026. "
        "Handlingar som skickades med: överklagandet och det överklagade beslutet. Skolans yttrande: ”Står fast.”.")
    assert first(late, "BoardDecided").sentence.startswith(
        "Skolväsendets överklagandenämnd avslog den 7 november 2026 överklagande nr 1: beslut 1 står fast.")
    changed = first(_to_the_board(BoardOutcome.CHANGED), "BoardDecided").sentence
    assert changed.startswith("Skolväsendets överklagandenämnd ändrade den 7 november 2026 beslut 1 (överklagande nr 1): "
                              "nämndens beslut, beslut 2, är att upprätta åtgärdsprogram, och det gäller nu.")
    sent_back = first(_to_the_board(BoardOutcome.SENT_BACK, SentBackTo.DECISION), "BoardDecided").sentence
    assert sent_back.startswith("Skolväsendets överklagandenämnd upphävde den 7 november 2026 beslut 1 (överklagande nr 1) "
                                "och återförvisade ärendet till skolan, som fattar ett nytt beslut.")
    for pairs in (late, _to_the_board(BoardOutcome.CHANGED)):
        for _, line in pairs:
            assert not UUID.search(line.sentence) and not unreadable(line.sentence), line.sentence
