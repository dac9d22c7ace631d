"""The letters to the family (issue 16): the decision letter (FL 33 §, 44 §; skollagen 28 kap.
16 §) and the rejection of a late appeal (FL 45 §), rendered from a case dict as the cases
service answers it (no service asked), then through the frontend against stubs: the page and the
PDF (its text read back), the print asked of the cases service (R15), and the programme's print
view with the school's address, participation (R8) and a line to sign."""
from __future__ import annotations

import io
import re
from uuid import uuid4

import pytest
from pypdf import PdfReader

from frontend.devlogin import Organisation
from frontend.letter_content import SchoolUnit, decision_letter, pdf_of, rejection_letter
from frontend.parties import Parties
from frontend.services_client import NotFound
from frontend.staff import StaffDirectory
from frontend.templating import make_templates
from tests.frontend_unit.conftest import DIRECTORY_STAFF
from tests.frontend_unit.helpers import log_in
from tests.frontend_unit.test_register_on_the_case import ANNA, PUPIL, PUPIL_ID
from tests.frontend_unit.test_workflow_forms import DECISION, PROGRAMME, _case

UNIT = SchoolUnit("0180-ENG", "Engelbrektsskolan", ("Sveavägen 8", "113 50 Stockholm"))
PARTIES = Parties(pupil="Elsa Exempel", guardians=["Anna Exempel", "Johan Exempel"],
                  guardian_ids=[g["guardian_id"] for g in PUPIL["guardians"]])
UNITS = {"units": [{"code": "0180-ENG", "name": "Engelbrektsskolan",
                    "address": {"street_address": "Sveavägen 8", "postal_code": "113 50", "locality": "Stockholm"}}]}
REASONS = "Utredningen visar att Elsa behöver stöd i läsförståelse som extra anpassningar inte räcker till."


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".").replace(" ,", ",")


@pytest.fixture(scope="module")
def templates():
    organisation = Organisation.load()
    staff = StaffDirectory(organisation)
    staff.remember("0180", DIRECTORY_STAFF["staff"])
    return make_templates(organisation, staff)


def _render(templates, name: str, context: dict) -> str:
    env = templates.env
    return _text(env.get_template(name).render({"case_id": "c", "back_anchor": "beslut", "pdf_href": "x.pdf", **context}))


def _decision_letter(templates, case: dict, number: int = 1) -> str:
    return _render(templates, "decision_letter.html",
                   decision_letter(case, number, UNIT, PARTIES, templates.env.globals["person"]))


def test_the_decision_letter_says_to_whom_from_where_what_was_decided_why_and_the_last_day_to_appeal(templates):
    case = _case("c", status="programme", programme=PROGRAMME, decisions=[{**DECISION, "reasons": REASONS}])

    text = _decision_letter(templates, case)

    assert "Engelbrektsskolan Sveavägen 8 113 50 Stockholm" in text
    assert "Till vårdnadshavarna för Elsa Exempel Anna Exempel Johan Exempel" in text
    assert "Elev: Elsa Exempel, personnummer 20150315-1234" in text
    assert "Beslut om åtgärdsprogram" in text
    assert "Rektor Rolf Ek har den 5 mars 2026 beslutat att ett åtgärdsprogram ska utarbetas för Elsa Exempel" in text
    assert "Skäl för beslutet " + REASONS in text
    assert "Lästräning 2 x 40 min/vecka Sara Berg" in text  # the measures of the programme issued under it
    assert "Så här överklagar ni" in text and "Skolväsendets överklagandenämnd (skollagen 28 kap. 16 §)" in text
    assert "inom tre veckor från den dag ni fick del av beslutet (förvaltningslagen 44 §)" in text
    assert "Lämna eller skicka det till skolan, inte direkt till nämnden: Engelbrektsskolan, Sveavägen 8, 113 50 Stockholm" in text
    assert "fick beslutet 6 mars 2026. Sista dag att överklaga: 27 mars 2026." in text
    assert text.rstrip().endswith("Engelbrektsskolan 5 mars 2026 Rolf Ek, rektor")
    assert "establish_programme" not in text and "rolf.ek" not in text


def test_a_delegate_decides_under_the_numbered_delegation_and_a_placement_names_its_law(templates):
    decision = {**DECISION, "decided_by": "sara.berg", "delegation_number": 3, "programme_number": None,
                "placements": ["adapted_study_path"], "delivered_on": None, "appeal_last_day": None}

    text = _decision_letter(templates, _case("c", decisions=[decision]))

    assert "Beslut om åtgärdsprogram och anpassad studiegång" in text
    assert "Sara Berg, med rektors delegation nr 3, har den 5 mars 2026 beslutat att ett åtgärdsprogram" in text
    assert "och att Elsa Exempel ska ha en anpassad studiegång" in text
    assert "Beslutat av Sara Berg enligt rektors delegation nr 3." in text
    assert "skollagen 3 kap. 9 § och skollagen 3 kap. 12 §" in text
    assert "lämnas till er när det är klart" in text  # no programme issued yet


def test_before_delivery_the_letter_says_the_three_weeks_run_from_the_day_they_receive_it(templates):
    case = _case("c", decisions=[{**DECISION, "delivered_on": None, "appeal_last_day": None}])
    case.pop("appeals", None)

    text = _decision_letter(templates, case)

    assert "De tre veckorna räknas från den dag ni tar emot beslutet" in text
    assert "Sista dag att överklaga" not in text


def test_each_recipient_has_their_own_last_day_from_their_own_day_of_receipt(templates):
    deliveries = [
        {"recipient": ANNA, "method": "handed_over", "received_on": "2026-03-06", "last_day_to_appeal": "2026-03-27",
         "recorded_by": "rolf.ek"},
        {"recipient": "guardian:" + PUPIL["guardians"][1]["guardian_id"], "method": "post", "received_on": "2026-03-09",
         "last_day_to_appeal": "2026-03-30", "recorded_by": "rolf.ek"},
    ]
    case = _case("c", decisions=[{**DECISION, "deliveries": deliveries, "appeal_last_day": "2026-03-30"}])

    text = _decision_letter(templates, case)

    assert ("Vårdnadshavaren Anna Exempel fick beslutet 6 mars 2026 (överlämnat personligen). "
            "Sista dag att överklaga: 27 mars 2026.") in text
    assert ("Vårdnadshavaren Johan Exempel fick beslutet 9 mars 2026 (med post). "
            "Sista dag att överklaga: 30 mars 2026.") in text


@pytest.mark.parametrize("number, decisions, message", [
    (1, [{**DECISION, "kind": "close_programme", "appealable": False}], "Beslutet kan inte överklagas"),
    (2, [DECISION], "Beslutet finns inte i ärendet."),
])
def test_no_letter_for_a_decision_that_cannot_be_appealed_or_is_not_there(number, decisions, message):
    with pytest.raises(NotFound, match=message):
        decision_letter(_case("c", decisions=decisions), number, UNIT, PARTIES, str)


REJECTION = {"decided_by": "rolf.ek", "delegation_number": None, "decided_on": "2026-04-08",
             "reasons": "Överklagandet kom in sju dagar efter sista dagen.",
             "deliveries": [{"recipient": "guardians", "method": "secure_digital", "received_on": "2026-04-09",
                             "last_day_to_appeal": "2026-04-30", "recorded_by": "rolf.ek"}]}
APPEAL = {"number": 1, "decision_number": 1, "received_on": "2026-04-03", "appellants": ["guardians"], "asks": "Mer stöd",
          "registered_by": "rolf.ek", "last_day": "2026-03-27", "timely": False, "delay_caused_by_school": False,
          "complete": True, "single_guardian_reason": "", "forward_due": "2026-04-10", "status": "rejected",
          "rejection": REJECTION, "reconsidered": None, "forwarded": None, "board": None}


def test_the_rejection_of_a_late_appeal_says_why_and_that_it_can_itself_be_appealed(templates):
    case = _case("c", decisions=[DECISION], appeals=[APPEAL])

    text = _render(templates, "appeal_rejection_letter.html",
                   rejection_letter(case, 1, UNIT, PARTIES, templates.env.globals["person"]))

    assert "Beslut att avvisa överklagande" in text
    assert "Till vårdnadshavarna Anna Exempel och Johan Exempel" in text
    assert "Ni har överklagat skolans beslut om åtgärdsprogram den 5 mars 2026" in text
    assert "kom in till skolan 3 april 2026, men den sista dagen att överklaga var 27 mars 2026" in text
    assert "Rektor Rolf Ek har den 8 april 2026 beslutat att avvisa överklagandet" in text
    assert "(förvaltningslagen 45 §)" in text and "Överklagandet kom in sju dagar efter sista dagen." in text
    assert "Beslutet att avvisa överklagandet kan i sin tur överklagas till Skolväsendets överklagandenämnd" in text
    assert "fick avvisningsbeslutet 9 april 2026 (med säker digital post). Sista dag att överklaga: 30 april 2026." in text


def test_no_rejection_letter_for_an_appeal_that_was_not_rejected_or_a_case_without_appeals():
    with pytest.raises(NotFound, match="inte avvisats"):
        rejection_letter(_case("c", decisions=[DECISION], appeals=[{**APPEAL, "rejection": None}]), 1, UNIT, PARTIES, str)
    with pytest.raises(NotFound, match="Överklagandet finns inte"):
        rejection_letter(_case("c", decisions=[DECISION]), 1, UNIT, PARTIES, str)


def test_the_pdf_carries_the_letters_text(templates):
    case = _case("c", status="programme", programme=PROGRAMME, decisions=[DECISION])
    html = templates.env.get_template("decision_letter.html").render(
        {"case_id": "c", "back_anchor": "beslut", "pdf_href": "x.pdf",
         **decision_letter(case, 1, UNIT, PARTIES, templates.env.globals["person"])})

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_of(html))).pages)
    text = re.sub(r"\s+", " ", text)

    assert "Beslut om åtgärdsprogram" in text and "Sveavägen 8" in text and "Anna Exempel" in text
    assert "Sista dag att överklaga: 27 mars 2026" in text
    assert "Ladda ner som PDF" not in text  # the page's tools are not printed


def test_the_letter_page_and_its_pdf_are_read_as_prints_and_the_file_name_names_no_pupil(
        frontend, cases_service, directory_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(
        case_id, pupil_ref=PUPIL_ID, status="programme", programme=PROGRAMME, decisions=[DECISION]))
    directory_service.answer("GET", f"/pupils/{PUPIL_ID}", 200, PUPIL)
    directory_service.answer("GET", "/units", 200, UNITS)
    log_in(frontend, "rolf.ek")

    page = frontend.get(f"/arenden/{case_id}/beslut/1/brev")
    pdf = frontend.get(f"/arenden/{case_id}/beslut/1/brev.pdf")

    assert page.status_code == 200 and "Till vårdnadshavarna för Elsa Exempel" in _text(page.text)
    assert "Sveavägen 8" in page.text
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="beslut-1.pdf"'
    assert "Anna Exempel" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    reads = [r for r in cases_service.received if r.path == f"/cases/{case_id}"]
    assert len(reads) == 2 and all(r.query == "purpose=print" for r in reads)


def test_a_letter_for_a_decision_that_cannot_be_appealed_is_not_found_in_swedish(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(
        case_id, decisions=[{**DECISION, "kind": "close_programme", "appealable": False}]))
    log_in(frontend, "rolf.ek")

    response = frontend.get(f"/arenden/{case_id}/beslut/1/brev.pdf")

    assert response.status_code == 404 and "Beslutet kan inte överklagas" in response.text


def test_the_case_page_links_the_letter_of_an_appealable_decision(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(
        case_id, status="programme", programme=PROGRAMME, decisions=[DECISION], appeals=[APPEAL]))
    log_in(frontend, "rolf.ek")

    html = frontend.get(f"/arenden/{case_id}").text

    assert f'href="/arenden/{case_id}/beslut/1/brev"' in html and f'href="/arenden/{case_id}/beslut/1/brev.pdf"' in html
    assert f'href="/arenden/{case_id}/overklaganden/1/avvisning"' in html


def test_r8_the_printed_programme_has_the_schools_address_participation_and_a_line_to_sign(
        frontend, cases_service, directory_service):
    case_id = uuid4()
    participation = [{"party": "pupil", "offered_on": "2026-03-04", "took_part": True, "views": "HEMLIG-SYNPUNKT",
                      "recorded_by": "sara.berg"},
                     {"party": ANNA, "offered_on": "2026-03-04", "took_part": False, "views": "", "recorded_by": "sara.berg"}]
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(
        case_id, pupil_ref=PUPIL_ID, status="programme", programme=PROGRAMME, decisions=[DECISION],
        participation=participation))
    directory_service.answer("GET", f"/pupils/{PUPIL_ID}", 200, PUPIL)
    directory_service.answer("GET", "/units", 200, UNITS)
    log_in(frontend, "rolf.ek")

    text = _text(frontend.get(f"/arenden/{case_id}/atgardsprogram").text)

    assert "Skolenhet Engelbrektsskolan, Sveavägen 8, 113 50 Stockholm" in text
    assert "Eleven Elsa Exempel erbjöds att delta 4 mars 2026 och deltog." in text
    assert "Vårdnadshavaren Anna Exempel erbjöds att delta 4 mars 2026 och deltog inte." in text
    assert "Engelbrektsskolan 5 mars 2026 Rolf Ek, rektor" in text
    assert "HEMLIG-SYNPUNKT" not in text and "20150315-1234" not in text
