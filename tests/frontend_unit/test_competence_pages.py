"""The mission, goal and quality pages against stub services, fed with what the competence
service and the quality API really answer (built by their own view code from the domain):
confirm buttons only for the party still to confirm, refusals next to their field, the chain
both ways, and the quality view as a tab of the follow-up page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from competence.domain.mission import Mission
from competence.domain.values import Party
from competence.views import goal_chain, mission_details
from frontend.app import create_app
from tests.frontend_unit.helpers import log_in
from tests.frontend_unit.stub_service import StubService
from eventkit.dates import local_today

TODAY = local_today()
R13 = "Ange minst ett och högst tolv uppföljningsdatum, i ordning och inte före i dag."


def a_mission() -> tuple[Mission, str, str]:
    """A mission with an old goal assessed and replaced, a new goal proposed by rektor only,
    a competence plan and supervision."""
    r, e = Party.REKTOR, Party.SPECIAL_EDUCATOR
    m = Mission.start(municipality="0180", school_unit="0180-ENG", special_educator="sara.berg", started_by="rolf.ek", on=TODAY)
    m.describe(r, "rolf.ek", "Förebyggande arbete på gruppnivå.", TODAY)
    m.confirm_description(r, "rolf.ek", 1, TODAY)
    m.confirm_description(e, "sara.berg", 1, TODAY)
    old = m.propose_goal(r, "rolf.ek", text_="Handleda arbetslagen", follow_up_dates=[TODAY], today=TODAY)
    m.confirm_goal(r, "rolf.ek", old, TODAY)
    m.confirm_goal(e, "sara.berg", old, TODAY)
    m.report_follow_up(e, "sara.berg", old, "Tre av fem lag.", TODAY)
    a = m.assess_goal(e, "sara.berg", old, "not_met", "För lite tid.", TODAY)
    m.confirm_assessment(e, "sara.berg", a, TODAY)
    m.confirm_assessment(r, "rolf.ek", a, TODAY)
    action = m.decide_action(r, "rolf.ek", old, a, "En timme i veckan.", TODAY)
    new = m.propose_goal(r, "rolf.ek", text_="Handleda alla fem lag varje vecka", follow_up_dates=[TODAY + timedelta(days=5)],
                         today=TODAY, replaces=old, because_of=action)
    m.confirm_goal(r, "rolf.ek", new, TODAY)
    need = m.map_need(e, "sara.berg", "Dyskalkyli", TODAY)
    m.plan_activity(e, "sara.berg", need_id=need, title="Kurs i dyskalkyli", planned_hours=16, planned_by=None, on=TODAY)
    m.arrange_supervision(r, "rolf.ek", provider="external", sessions_per_term=4, on=TODAY)
    m.record_supervision(e, "sara.berg", held_on=TODAY, minutes=90, today=TODAY)
    return m, old, new


@pytest.fixture
def services():
    competence, quality = StubService().start(), StubService().start()
    yield competence, quality
    competence.stop()
    quality.stop()


@pytest.fixture
def client(services, cases_service, followup_service):
    competence, quality = services
    app = create_app(cases_url=cases_service.url, followup_url=followup_service.url,
                     competence_url=competence.url, quality_url=quality.url)
    with TestClient(app, follow_redirects=False) as c:
        yield c


def serve(competence: StubService, m: Mission, party: Party) -> str:
    competence.answer("GET", f"/missions/{m.id}", 200, mission_details(m, party, TODAY))
    competence.answer("GET", "/profiles/sara.berg", 200, {"user_id": "sara.berg", "recorded": True, "degree": "Speciallärarexamen",
                                                          "qualification": "special_teacher_degree",
                                                          "specialisations": ["mathematics"], "history": []})
    return f"/kompetens/uppdrag/{m.id}"


def goal_article(html: str, goal_id: str) -> str:
    return re.search(rf'<article class="record" id="mal-{goal_id}".*?</article>', html, re.S).group(0)


def test_r12_only_the_party_still_to_confirm_gets_the_confirm_button(client, services):
    competence, _ = services
    m, old, new = a_mission()
    url = serve(competence, m, Party.REKTOR)
    log_in(client, "rolf.ek")
    page = client.get(url).text
    assert "Bekräfta målet" not in goal_article(page, new)  # rektor has confirmed
    assert "Väntar på specialpedagog" in goal_article(page, new)
    assert '<span class="goal-status">Gäller</span>' in goal_article(page, old)  # until both agreed the new one
    assert "Avsätt tid" in page and "Speciallärarexamen" in page and "Matematikutveckling" in page

    serve(competence, m, Party.SPECIAL_EDUCATOR)
    log_in(client, "sara.berg")
    page = client.get(url).text
    assert "Bekräfta målet" in goal_article(page, new)
    assert "Avsätt tid" not in page  # only rektor allots time (R12)


def test_r13_a_refused_schedule_is_shown_at_its_fieldset_and_the_goal_text_is_kept(client, services):
    competence, _ = services
    m, _, _ = a_mission()
    url = serve(competence, m, Party.REKTOR)
    competence.answer("POST", f"/missions/{m.id}/goals", 422, {
        "error": "rule", "message": f"{R13} (R13)", "rule": "R13", "rule_name": "GoalHasAFollowUpSchedule",
        "fields": {"follow_up_dates": R13}})
    log_in(client, "rolf.ek")
    answer = client.post(f"{url}/mal", data={"text": "Nytt mål om läsning", "follow_up_dates": ["2020-01-01", ""]})
    assert answer.status_code == 422
    assert re.search(r'id="nytt-mal-dates-error">.*?' + re.escape(R13), answer.text, re.S)
    assert "Nytt mål om läsning</textarea>" in answer.text and 'value="2020-01-01"' in answer.text
    [sent] = [r for r in competence.received if r.method == "POST"]
    assert sent.body == {"text": "Nytt mål om läsning", "follow_up_dates": ["2020-01-01"], "replaces": None, "because_of": None}


def test_r13_the_goal_page_walks_the_chain_both_ways(client, services):
    competence, _ = services
    m, old, new = a_mission()
    competence.answer("GET", f"/missions/{m.id}/goals/{old}", 200, goal_chain(m, old, Party.REKTOR, TODAY))
    competence.answer("GET", f"/missions/{m.id}/goals/{new}", 200, goal_chain(m, new, Party.REKTOR, TODAY))
    log_in(client, "rolf.ek")
    forwards = client.get(f"/kompetens/uppdrag/{m.id}/mal/{old}").text
    assert f'href="/kompetens/uppdrag/{m.id}/mal/{new}"' in forwards and "Ersatt av" in forwards
    assert "Tre av fem lag." in forwards and "För lite tid." in forwards and "En timme i veckan." in forwards
    backwards = client.get(f"/kompetens/uppdrag/{m.id}/mal/{new}").text
    assert f'href="/kompetens/uppdrag/{m.id}/mal/{old}"' in backwards and "På grund av åtgärden: En timme i veckan." in backwards


def test_the_quality_view_is_a_tab_of_the_follow_up_page(client, services, followup_service):
    _, quality = services
    followup_service.answer("GET", "/followup", 200, {"rows": [], "total": 0, "page_size": 25})
    mission = {"mission_id": "m1", "school_unit": "0180-ENG", "rektor": "rolf.ek", "started_on": TODAY.isoformat(),
               "mission_in_force": True,
               "goals": [{"goal_id": "g1", "replaces": None, "status": "in_force", "confirmed_by": ["rektor", "special_educator"],
                          "proposed_on": TODAY.isoformat(), "in_force_on": TODAY.isoformat(), "follow_ups_planned": 2,
                          "follow_ups_done": 0, "next_follow_up": (TODAY - timedelta(days=3)).isoformat(),
                          "follow_up_overdue": True, "follow_up_due": False, "days_overdue": 3, "attainment": None, "actions": 0}],
               "plan": {"needs": 1, "activities": 2, "completed": 1, "planned_hours": 20.0, "allotted_hours": 16.0, "done_hours": 8.0},
               "supervision": {"provider": "external", "sessions_per_term": 4,
                               "this_term": {"label": "HT 2026", "sessions": 2, "minutes": 180},
                               "last_term": {"label": "VT 2026", "sessions": 3, "minutes": 270}}}
    quality.answer("GET", "/quality", 200, {
        "today": TODAY.isoformat(),
        "educators": [{"special_educator": "sara.berg", "missions": [mission], "goals_in_force": 1, "goals_proposed": 0,
                       "follow_ups_overdue": 1, "follow_ups_due": 0}],
        "interventions": {"term": {"label": "HT 2026", "from": "2026-07-01", "to": "2026-12-31"},
                          "units": [{"school_unit": "0180-ENG", "total": 3, "minutes": 255, "by_level": {}, "by_kind": {},
                                     "cells": [{"level": "group", "kind": "supervision", "interventions": 2, "minutes": 135},
                                               {"level": "individual", "kind": "mapping", "interventions": 1, "minutes": 120}]}]},
    })
    log_in(client, "rolf.ek")
    followup = client.get("/uppfoljning").text
    assert 'href="/uppfoljning/kvalitet"' in followup and 'aria-current="page">Elevärenden' in followup
    page = client.get("/uppfoljning/kvalitet")
    assert page.status_code == 200
    assert 'aria-current="page">Rektors kvalitetsvy' in page.text
    assert "Försenad 3 dagar" in page.text and "1 av 2 aktiviteter genomförda" in page.text
    assert "2 tillfällen (180 min) av 4 planerade" in page.text and "3 insatser, 255 minuter" in page.text
    log_in(client, "anna.lind")
    assert client.get("/uppfoljning/kvalitet").status_code == 403


def test_ids_that_are_not_ids_never_reach_the_service(client, services):
    competence, _ = services
    m, old, _ = a_mission()
    log_in(client, "rolf.ek")
    assert client.post(f"/kompetens/uppdrag/{m.id}/mal-bekrafta", data={"goal": "../../profiles/me"}).status_code == 404
    assert client.get(f"/kompetens/uppdrag/{m.id}/mal/..%2F..").status_code == 404
    assert client.post(f"/kompetens/uppdrag/{m.id}/okand", data={}).status_code == 404
    assert competence.received == []


def test_rektor_starts_a_mission_for_a_special_educator_of_the_unit_and_sara_keeps_her_profile(client, services):
    competence, _ = services
    m, _, _ = a_mission()
    competence.answer("GET", "/missions", 200, {"rows": [{k: v for k, v in mission_details(m, Party.SPECIAL_EDUCATOR, TODAY).items()}]})
    competence.answer("POST", "/missions", 201, {"mission_id": str(m.id)})
    log_in(client, "rolf.ek")
    overview = client.get("/kompetens").text
    assert '<option value="sara.berg">Sara Berg</option>' in overview and "anna.lind" not in overview
    started = client.post("/kompetens/uppdrag", data={"school_unit": "0180-ENG", "special_educator": "sara.berg"})
    assert started.status_code == 303 and started.headers["location"] == f"/kompetens/uppdrag/{m.id}"
    assert competence.received[-1].body == {"school_unit": "0180-ENG", "special_educator": "sara.berg"}

    competence.answer("GET", "/profiles/sara.berg", 200, {"user_id": "sara.berg", "recorded": True, "degree": "Speciallärarexamen",
                                                          "qualification": "special_teacher_degree",
                                                          "specialisations": ["mathematics"], "history": []})
    log_in(client, "sara.berg")
    page = client.get("/kompetens/profil").text
    assert 'value="Speciallärarexamen"' in page
    assert re.search(r'value="special_teacher_degree" selected', page)
    assert re.search(r'id="specialisations-mathematics" name="specialisations" value="mathematics"\s*checked', page)
    assert "Min profil" in client.get("/kompetens").text
