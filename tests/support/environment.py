"""The test suite's environment: deploy/stodspar.env, with the test databases and ports.

`make test` exports the same file; loading it here as well lets `pytest` run on its own.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The running system under test listens on its own ports (from TEST_PORT_BASE, default 8100),
# so `make run` can stay up, and two checkouts can test side by side with different bases
# and database prefixes (TEST_PREFIX, which must end in "test_").
PORT_OFFSETS = {
    "FRONTEND_PORT": 0,
    "CASES_PORT": 1,
    "FOLLOWUP_API_PORT": 11,
    "FOLLOWUP_FAUST_WEB_PORT": 66,
    "DEVIATIONS_PORT": 2,
    "COUNTY_API_PORT": 12,
    "COUNTY_FAUST_WEB_PORT": 67,
    "DOCUMENTATION_PORT": 4,
    "DEV_IDP_PORT": 5,
    "DEV_SS12000_PORT": 6,
    "DIRECTORY_PORT": 7,
    "ACCESSLOG_API_PORT": 14,
    "ACCESSLOG_FAUST_WEB_PORT": 69,
    "COMPETENCE_PORT": 3,
    "QUALITY_API_PORT": 13,
    "QUALITY_FAUST_WEB_PORT": 68,
    "NOTIFICATIONS_PORT": 8,
    "DEV_MAIL_HTTP_PORT": 9,
    "DEV_SMTP_PORT": 25,
    "WORKLIST_API_PORT": 15,
    "WORKLIST_FAUST_WEB_PORT": 70,
}


def load() -> None:
    for line in (ROOT / "deploy" / "stodspar.env").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key, value)
    prefix = os.environ.get("TEST_PREFIX") or "test_"
    if not prefix.endswith("test_"):
        raise RuntimeError("TEST_PREFIX must end in 'test_': the suite empties those databases")
    os.environ["TEST_PREFIX"] = prefix
    base = int(os.environ.get("TEST_PORT_BASE", "8100"))
    for variable, offset in PORT_OFFSETS.items():
        os.environ[variable] = str(base + offset)
    os.environ["CASES_URL"] = f"http://127.0.0.1:{os.environ['CASES_PORT']}"
    os.environ["FOLLOWUP_URL"] = f"http://127.0.0.1:{os.environ['FOLLOWUP_API_PORT']}"
    os.environ["DEVIATIONS_URL"] = f"http://127.0.0.1:{os.environ['DEVIATIONS_PORT']}"
    os.environ["COUNTY_URL"] = f"http://127.0.0.1:{os.environ['COUNTY_API_PORT']}"
    os.environ["DOCUMENTATION_URL"] = f"http://127.0.0.1:{os.environ['DOCUMENTATION_PORT']}"
    # Login through the development identity provider of this test run.
    os.environ["OIDC_ISSUER"] = f"http://127.0.0.1:{os.environ['DEV_IDP_PORT']}"
    os.environ["DEV_IDP_REDIRECT_URIS"] = f"http://127.0.0.1:{os.environ['FRONTEND_PORT']}/auth/callback"
    os.environ["ACCESSLOG_URL"] = f"http://127.0.0.1:{os.environ['ACCESSLOG_API_PORT']}"
    # Test municipality settings: as deploy/'s, plus a retention of 0 years in Huddinge so a
    # finished case is due for disposal at once (R17 tests).
    os.environ["MUNICIPALITY_SETTINGS_FILE"] = str(ROOT / "tests" / "support" / "municipality-settings.json")
    os.environ["COMPETENCE_URL"] = f"http://127.0.0.1:{os.environ['COMPETENCE_PORT']}"
    os.environ["QUALITY_URL"] = f"http://127.0.0.1:{os.environ['QUALITY_API_PORT']}"
    # The directory: the run at start only; the tests sync themselves (a scheduled run in the
    # middle of a test of an outage would take its turn with the register).
    os.environ["DIRECTORY_URL"] = f"http://127.0.0.1:{os.environ['DIRECTORY_PORT']}"
    os.environ["SS12000_URL"] = f"http://127.0.0.1:{os.environ['DEV_SS12000_PORT']}"
    os.environ["SS12000_TOKEN_URL"] = f"{os.environ['SS12000_URL']}/token"
    os.environ["DIRECTORY_SYNC_MINUTES"] = str(24 * 60)
    # Notifications: the test run's own mail server, and no scheduled job (the tests run the
    # sender's rounds themselves, at the moment they choose, as they run the disposal).
    os.environ["NOTIFICATIONS_URL"] = f"http://127.0.0.1:{os.environ['NOTIFICATIONS_PORT']}"
    os.environ["SMTP_PORT"] = os.environ["DEV_SMTP_PORT"]
    os.environ["DEV_MAIL_URL"] = f"http://127.0.0.1:{os.environ['DEV_MAIL_HTTP_PORT']}"
    os.environ["PUBLIC_URL"] = f"http://127.0.0.1:{os.environ['FRONTEND_PORT']}"
    os.environ["NOTIFICATIONS_SCHEDULED"] = "false"
    os.environ["WORKLIST_URL"] = f"http://127.0.0.1:{os.environ['WORKLIST_API_PORT']}"
