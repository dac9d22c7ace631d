"""R22 with the directory: the cases service's name register holds every pupil's and guardian's
name from the directory, not only those of pupils with a case; a person the register protects
is withheld as a protected pupil is (answered "protected" to everyone not granted, R14); and
while the directory does not answer, its last names stand (none at all refuses the check).
The keys, access log and directory are in memory."""
from __future__ import annotations

import os
from uuid import uuid4

import pytest

from cases.directory import DirectoryUnavailable
from cases.records import RecordKeepingCases
from eventkit.identity import Identity, Role
from eventkit.keystore import PupilIdentity

TEACHER = Identity("anna.lind", "Anna Lind", Role.TEACHER, "0180", ("0180-ENG",))


class Keys:
    def __init__(self) -> None:
        self.people: list[PupilIdentity] = []

    def identities(self, municipality):
        return self.people

    def records(self, ref):
        return []

    def key(self, subject):
        return None


class Log:
    def record(self, *entries):
        pass


class Directory:
    def __init__(self, people) -> None:
        self.people, self.down = people, False

    def register_names(self, municipality):
        if self.down:
            raise DirectoryUnavailable()
        return self.people


@pytest.fixture()
def make(monkeypatch):
    for name in ("POSTGRES_USER", "POSTGRES_PASSWORD", "CASES_DB"):
        monkeypatch.setenv(name, os.environ.get(name, "unused"))

    def build(people):
        directory = Directory(people)
        app = RecordKeepingCases(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, keys=Keys(), access_log=Log(),
                                 directory=directory)
        return app, directory

    return build


def person(name: str, kind: str = "pupil", protected: bool = False) -> dict:
    return {"person_id": str(uuid4()), "name": name, "kind": kind, "protected": protected}


def kinds_found(app, text: str) -> list[str]:
    [found] = app.register_matches_in(TEACHER, [text])
    return [how for _, _, how in found]


def test_r22_a_pupil_and_a_guardian_of_the_directory_are_found_without_a_case(make):
    app, _ = make([person("Ebba Kvarnström"), person("Gunvor Kvarnström", kind="guardian")])
    assert kinds_found(app, "Ebba var ledsen.") == ["exact"]
    assert kinds_found(app, "Mamma Gunvor ringde.") == ["exact"]
    assert kinds_found(app, "Ingen nämns här.") == []


def test_r14_r22_a_person_the_register_protects_is_answered_protected_never_confirmed(make):
    app, _ = make([person("Zelmira Ödqvistsson", protected=True)])
    assert set(kinds_found(app, "Zelmira Ödqvistsson var borta.")) == {"protected"}
    named = app.pupils_named_in(TEACHER, ["Zelmira Ödqvistsson var borta."])
    assert [p["protected"] for p in named] == [True]


def test_r22_the_directorys_last_names_stand_while_it_does_not_answer(make):
    app, directory = make([person("Ebba Kvarnström")])
    assert kinds_found(app, "Ebba var ledsen.") == ["exact"]
    directory.down = True
    app._registers.clear()
    assert kinds_found(app, "Ebba var ledsen.") == ["exact"]


def test_r22_a_check_without_the_directorys_names_is_refused(make):
    app, directory = make([person("Ebba Kvarnström")])
    directory.down = True
    with pytest.raises(DirectoryUnavailable):
        app.register_matches_in(TEACHER, ["Ebba var ledsen."])
