"""R17 as someone with a copy of the disks would try it (ADR 0024). A Huddinge pupil has a
finished case, pupil-level documentation and a deviation whose texts name the pupil (by name
and personnummer). The administrator disposes of the pupil's records. Then:

- the deviation's texts are gone for the manager who handles it, while its structure stays;
- on disk — every PostgreSQL table page, index and WAL segment after a checkpoint, every Kafka
  log segment, every process log, faust's state and the key files — neither the name, nor the
  personnummer in any form, nor any of the pupil's raw keys (the case key, the documentation
  key, the deviation's key) appears;
- every wrapped copy of those keys that was stored while the pupil lived (as a backup or an old
  page would keep it) opens under no key-encryption key that still exists.
Before disposal the same scan must find the pupil's case id on disk: the scan reads the right
places.
"""
from __future__ import annotations

import base64
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eventkit.identity import Role
from tests.conftest import headers_for, identity
from tests.integration.test_access_log_and_disposal import (
    HUDDINGE_ADMIN, _finished_huddinge_case, forms_of, post,
)
from tests.support import deviations as dev
from tests.support.environment import ROOT
from tests.support.infrastructure import eventually, query
from tests.support.pupils import personal_number
from eventkit.dates import local_today

pytestmark = pytest.mark.integration
HUDDINGE_EDUCATOR = identity("karin.holm", Role.SPECIAL_EDUCATOR, "0126", "0126-SKO")
KEK_ROOT = ROOT / ".keys" / "kek"


def unique_name() -> str:
    letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])
    return f"Ottilia {letters[:1].upper()}{letters[1:]}berg"


def postgres_directory() -> Path:
    """The cluster's data directory, after every changed page was written (CHECKPOINT)."""
    shown = subprocess.run(["bash", str(ROOT / "deploy" / "postgres.sh"), "flush"], check=True, capture_output=True,
                           text=True, cwd=ROOT).stdout.strip().splitlines()[-1]
    return Path(shown)


def places() -> list[Path]:
    return [postgres_directory(), ROOT / ".state", KEK_ROOT]


def found_on_disk(needles: dict[str, bytes]) -> dict[str, list[str]]:
    """For each needle, the files that hold it anywhere in their bytes."""
    hits: dict[str, list[str]] = {label: [] for label in needles}
    for place in places():
        for path in place.rglob("*"):
            if not path.is_file() or path.is_symlink():
                continue
            try:
                data = path.read_bytes()
            except (PermissionError, FileNotFoundError):
                continue  # a WAL segment recycled or a temp file removed while reading
            for label, needle in needles.items():
                if needle in data:
                    hits[label].append(str(path))
    return hits


def kek_file(database: str, version: int) -> Path:
    return KEK_ROOT / database / f"v{version}.key"


def wrapped_key(database_variable: str, subject: str) -> tuple[str, bytes, int]:
    """The stored (wrapped) key of a subject, as a backup taken now would hold it."""
    [(wrapped, version)] = query(database_variable, "SELECT data_key, kek_version FROM pupil_key WHERE pupil_ref = %s",
                                 (subject,))
    [(database,)] = query(database_variable, "SELECT current_database()")
    return database, bytes(wrapped), version


def unwrap(kek: bytes, wrapped: bytes, subject: str) -> bytes:
    return AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], subject.encode())


def read_kek(path: Path) -> bytes:
    return base64.urlsafe_b64decode(path.read_text().strip())


def test_r17_after_disposal_nothing_of_the_pupil_and_no_usable_key_is_left_on_disk(stack):
    pin, name = personal_number(), unique_name()
    dev.configure_units(stack.deviations_url)
    case_id = _finished_huddinge_case(stack, pin, name)
    pupil_ref = post(stack, HUDDINGE_ADMIN, "/pupils/lookup", {"personal_number": pin}, expect=200)["pupil_ref"]

    # Pupil-level documentation about the pupil (under the documentation's key of the pupil) ...
    body = {"school_unit": "0126-SKO", "level": "individual", "case_id": case_id, "kind": "teaching",
            "performed_on": local_today().isoformat(), "minutes": 45, "hinders": ["structure"], "supports": ["materials"],
            "description": f"Lästräning med {name}."}
    intervention = httpx.post(f"{stack.documentation_url}/interventions", json=body,
                              headers=headers_for(HUDDINGE_EDUCATOR, "documentation"))
    assert intervention.status_code == 201, intervention.text
    # ... while the same name in group-level documentation, under no pupil's key, is refused.
    group = {**body, "level": "group", "group": "Klass 5A", "case_id": None,
             "description": f"Läsgrupp där {name} ingår."}
    refused = httpx.post(f"{stack.documentation_url}/interventions", json=group,
                         headers=headers_for(HUDDINGE_EDUCATOR, "documentation"))
    assert refused.status_code == 422 and name not in refused.text, refused.text
    assert refused.json()["rule_name"] == "OrganisationAndGroupNotesNameNoPupil"

    # A deviation whose texts name the pupil, by name in one text and by personnummer in another.
    deviation_id = dev.report(stack.deviations_url, dev.HUDDINGE_REPORTER, unit="0126-SKO",
                              description=f"BUP kom inte till SIP-mötet om {name}.",
                              tried_locally=f"Rektor ringde BUP om eleven {pin}.")
    dev.act(stack.deviations_url, dev.HUDDINGE_MANAGER, deviation_id, "actions", {"text": f"Mötet med {name} flyttat."})

    def deviation() -> dict:
        response = httpx.get(f"{stack.deviations_url}/deviations/{deviation_id}",
                             headers=headers_for(dev.HUDDINGE_MANAGER, "deviations"))
        assert response.status_code == 200, response.text
        return response.json()
    assert name in deviation()["description"]  # readable while the pupil's records live

    keys = {  # every key of the pupil, wrapped as stored, and unwrapped as its owner would
        "the case key": (*wrapped_key("CASES_DB", pupil_ref), pupil_ref),
        "the documentation key": (*wrapped_key("DOCUMENTATION_DB", pupil_ref), pupil_ref),
        "the deviation key": (*wrapped_key("DEVIATIONS_DB", deviation_id), deviation_id),
    }
    raw = {label: unwrap(read_kek(kek_file(database, version)), wrapped, subject)
           for label, (database, wrapped, version, subject) in keys.items()}
    seen = found_on_disk({"case id": case_id.encode()})["case id"]
    assert any(path.startswith(str(postgres_directory())) for path in seen), "the scan must read PostgreSQL's pages"
    assert any("/.state/kafka/" in path for path in seen), "the scan must read Kafka's log segments"

    post(stack, HUDDINGE_ADMIN, f"/pupils/{pupil_ref}/disposal")

    def followed() -> bool:
        """the documentation and the deviations services followed the disposal from Kafka"""
        return all(query(variable, "SELECT count(*) FROM pupil_key WHERE pupil_ref = %s", (subject,))[0][0] == 0
                   for variable, subject in (("DOCUMENTATION_DB", pupil_ref), ("DEVIATIONS_DB", deviation_id)))
    eventually(followed, timeout=60)

    # The manager still has the deviation's structure, and not a word of its texts.
    shown = deviation()
    assert shown["texts_disposed_on"] and shown["category"] == "party_absent_from_meetings"
    assert name not in str(shown) and pin not in str(shown) and pin.replace("-", "") not in str(shown)
    refused = httpx.post(f"{stack.deviations_url}/deviations/{deviation_id}/actions", json={"text": "Nytt försök."},
                         headers=headers_for(dev.HUDDINGE_MANAGER, "deviations"))
    assert refused.status_code == 422 and refused.json()["rule"] == "R17"

    # On disk: no name, no personnummer, no raw key, anywhere.
    needles = {form.decode(): form for form in forms_of(pin, name)}
    needles.update({label: key for label, key in raw.items()})
    needles["the key in base64"] = base64.urlsafe_b64encode(raw["the case key"]).rstrip(b"=")
    hits = found_on_disk(needles)
    assert {label: files for label, files in hits.items() if files} == {}

    # Every wrapped copy stored while the pupil lived opens under no key-encryption key that exists.
    existing = [read_kek(path) for path in KEK_ROOT.rglob("v*.key")]
    assert existing, "the services keep their key-encryption keys under .keys/kek"
    for label, (database, wrapped, version, subject) in keys.items():
        assert not kek_file(database, version).exists(), f"{label}: its key-encryption key still exists"
        for kek in existing:
            with pytest.raises(InvalidTag):
                unwrap(kek, wrapped, subject)
