"""Logging in (development login), the start page, and what a teacher is offered."""
from __future__ import annotations

from uuid import uuid4

import pytest

from tests.frontend_unit.helpers import HTMX, log_in


@pytest.mark.parametrize("path", ["/", "/arenden/nytt", "/uppfoljning", f"/arenden/{uuid4()}"])
def test_every_page_sends_a_visitor_who_is_not_logged_in_to_the_login_page(frontend, path):
    response = frontend.get(path)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_an_htmx_request_without_login_navigates_the_whole_page_to_login(frontend):
    response = frontend.get("/uppfoljning", headers={**HTMX, "HX-Current-URL": "http://x/uppfoljning"})

    assert response.headers["HX-Redirect"] == "/login?next=%2Fuppfoljning"


def test_login_page_lists_the_seeded_users_with_swedish_role_and_school_unit(frontend):
    page = frontend.get("/login").text

    assert "Anna Lind" in page and "Lärare · Engelbrektsskolan" in page
    assert "Sara Berg" in page and "Specialpedagog · Engelbrektsskolan, Katarina Södra skola" in page
    assert "Rolf Ek" in page and "Rektor · Engelbrektsskolan" in page
    assert "Solna" in page and "Tallbackaskolan" in page


def test_login_returns_to_the_page_asked_for_and_logout_ends_the_session(frontend):
    response = frontend.post("/login", data={"user_id": "rolf.ek", "next": "/uppfoljning"})
    assert response.headers["location"] == "/uppfoljning"
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=lax" in response.headers["set-cookie"].lower()

    frontend.post("/logout")

    assert frontend.get("/").headers["location"] == "/login"


def test_login_never_redirects_to_another_site(frontend):
    response = frontend.post("/login", data={"user_id": "rolf.ek", "next": "//evil.example/"})

    assert response.headers["location"] == "/"


def test_the_new_case_form_offers_only_the_users_own_school_units(frontend):
    log_in(frontend, "anna.lind")
    teacher_form = frontend.get("/arenden/nytt").text
    log_in(frontend, "sara.berg")
    special_educator_form = frontend.get("/arenden/nytt").text

    assert "Engelbrektsskolan" in teacher_form and "Katarina Södra skola" not in teacher_form
    assert "Engelbrektsskolan" in special_educator_form and "Katarina Södra skola" in special_educator_form
    assert '<label class="label" for="pupil_personal_number">Elevens personnummer</label>' in teacher_form


def test_the_start_page_offers_followup_to_rektor_but_not_to_a_teacher(frontend):
    log_in(frontend, "anna.lind")
    teacher = frontend.get("/").text
    log_in(frontend, "rolf.ek")
    rektor = frontend.get("/").text

    assert "Nytt elevärende" in teacher and "Uppföljning" not in teacher
    assert "Uppföljning" in rektor
