"""Municipality settings the cases service needs: the referral deadlines (R2).

A small JSON file per deployment (MUNICIPALITY_SETTINGS_FILE, default
deploy/municipality-settings.json) overrides the defaults of docs/rules.md per kommunkod."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from cases.domain.deadlines import ReferralDeadlines
from cases.domain.disposal import DEFAULT_RETENTION_YEARS, RetentionPlan

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "deploy" / "municipality-settings.json"


@lru_cache(maxsize=1)
def _settings() -> dict[str, dict]:
    path = Path(os.environ.get("MUNICIPALITY_SETTINGS_FILE") or DEFAULT_FILE)
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("municipalities", {})


def deadlines_for(municipality: str) -> ReferralDeadlines:
    chosen = _settings().get(municipality, {})
    return ReferralDeadlines(
        investigation_start_school_days=int(chosen.get("investigation_start_school_days", 5)),
        decision_weeks=int(chosen.get("decision_weeks", 4)),
    )


def retention_for(municipality: str) -> RetentionPlan:
    """The document management plan's retention per record type (R17), in years."""
    chosen = _settings().get(municipality, {}).get("retention_years", {})
    return RetentionPlan({**DEFAULT_RETENTION_YEARS, **{k: int(v) for k, v in chosen.items()}})
