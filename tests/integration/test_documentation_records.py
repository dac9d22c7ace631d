"""R15 and R17 for the special educator's documentation over the real stack (ADR 0021): a read
of a pupil's documentation lands in loggkontroll under the pupil's reference; after the cases
service disposes of the pupil, the documentation service destroys its own key (from the
PupilRecordsDisposed event on Kafka), so nothing of the documentation's text is readable in
its database, on any topic or in any log, while the overview still counts the intervention."""
from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from eventkit.identity import Role
from tests.conftest import headers_for, identity
from tests.integration import test_access_log_and_disposal as disposal
from tests.integration.test_access_log_and_disposal import (
    HUDDINGE_ADMIN, HUDDINGE_REKTOR, _finished_huddinge_case, _scan_logs, _scan_topics, forms_of, logged, post,
)
from tests.support.infrastructure import eventually, query
from tests.support.pupils import personal_number, pupil_name
from eventkit.dates import local_today

pytestmark = pytest.mark.integration
HUDDINGE_EDUCATOR = identity("karin.holm", Role.SPECIAL_EDUCATOR, "0126", "0126-SKO")


def documentation(stack, method, path, who, expect, **kwargs):
    response = httpx.request(method, f"{stack.documentation_url}{path}", headers=headers_for(who, "documentation"), **kwargs)
    assert response.status_code == expect, response.text
    return response.json()


def individual_count(stack) -> int:
    overview = documentation(stack, "GET", "/units/0126-SKO/overview", HUDDINGE_REKTOR, 200)
    return overview["by_level"].get("individual", {}).get("count", 0)


def test_r15_r17_pupil_documentation_is_logged_and_after_disposal_its_text_is_gone_and_the_count_remains(stack, monkeypatch):
    pin, name = personal_number(), pupil_name()
    secret = f"Dokumentationstext{uuid.uuid4().hex}"
    case_id = _finished_huddinge_case(stack, pin, name)
    counted_before = individual_count(stack)
    body = {"school_unit": "0126-SKO", "level": "individual", "case_id": case_id, "kind": "teaching",
            "performed_on": local_today().isoformat(), "minutes": 45, "hinders": ["structure"], "supports": ["materials"],
            "hinders_note": f"{secret} hinder", "supports_note": f"{secret} stöd", "description": f"{name}: {secret}"}
    intervention_id = documentation(stack, "POST", "/interventions", HUDDINGE_EDUCATOR, 201, json=body)["intervention_id"]
    correction = {k: v for k, v in body.items() if k not in ("school_unit", "level", "case_id")}
    documentation(stack, "POST", f"/interventions/{intervention_id}/corrections", HUDDINGE_EDUCATOR, 201,
                  json={**correction, "minutes": 50, "description": f"{secret} rättad", "reason": f"{secret} fel tid"})

    # R15: the rektor's read and print are in loggkontroll, under the pupil's reference.
    details = documentation(stack, "GET", f"/interventions/{intervention_id}", HUDDINGE_REKTOR, 200)
    assert details["description"] == f"{secret} rättad" and details["minutes"] == 50
    documentation(stack, "GET", f"/cases/{case_id}/interventions", HUDDINGE_REKTOR, 200, params={"purpose": "print"})
    assert individual_count(stack) == counted_before + 1
    pupil_ref = post(stack, HUDDINGE_ADMIN, "/pupils/lookup", {"personal_number": pin}, expect=200)["pupil_ref"]
    by_pupil = logged(stack, HUDDINGE_ADMIN, pupil_ref=pupil_ref)
    [read] = by_pupil(resource_id=intervention_id, action="read", user_id="per.wiklund")
    assert read["service"] == "documentation" and read["resource"] == "/interventions/{intervention_id}"
    assert by_pupil(resource_id=case_id, action="print", service="documentation")
    changes = lambda: len(by_pupil(resource_id=intervention_id, action="change", user_id="karin.holm")) == 2  # noqa: E731
    eventually(changes, timeout=40)  # recorded and corrected (entries arrive one by one)

    # R17: the cases service disposes; the documentation service follows from Kafka.
    post(stack, HUDDINGE_ADMIN, f"/pupils/{pupil_ref}/disposal")

    def recorded():
        """the documentation service recorded the disposal and destroyed its key"""
        done = query("DOCUMENTATION_DB", "SELECT count(*) FROM documentation_events WHERE topic LIKE %s"
                     " AND convert_from(state, 'UTF8') LIKE %s", ("%DocumentationDisposal.Disposed", f"%{intervention_id}%"))
        keys = query("DOCUMENTATION_DB", "SELECT count(*) FROM pupil_key WHERE pupil_ref = %s", (pupil_ref,))
        return done[0][0] == 1 and keys[0][0] == 0
    eventually(recorded, timeout=60)
    assert logged(stack, HUDDINGE_ADMIN, pupil_ref=pupil_ref)(action="disposal", resource_id=intervention_id,
                                                             service="documentation")

    documentation(stack, "GET", f"/interventions/{intervention_id}", HUDDINGE_REKTOR, 404)
    assert individual_count(stack) == counted_before + 1  # the structure remains for the development work
    forms = [secret.encode(), *forms_of(pin, name)]
    monkeypatch.setattr(disposal, "DATABASES", (*disposal.DATABASES, "DOCUMENTATION_DB"))
    assert disposal._scan_databases(forms) == []
    on_kafka, _ = asyncio.run(_scan_topics(forms))
    assert on_kafka == []
    assert _scan_logs(forms) == []
