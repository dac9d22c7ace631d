"""Fresh, valid (Luhn-checked) personal identity numbers and names for test pupils,
so that reruns against the same databases never collide."""
from __future__ import annotations

import random
import uuid


def luhn_digit(nine_digits: str) -> int:
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def personal_number(rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    year = rng.randint(2008, 2019)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    serial = rng.randint(1, 999)  # 000 is never issued
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    return f"{year}{month:02d}{day:02d}-{serial:03d}{luhn_digit(nine)}"


def pupil_name() -> str:
    """A fresh name in letters only, as a name is: "Testelev Kdaphmoc"."""
    letters = uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))
    return f"Testelev {letters.capitalize()}"


def register_pupil(number: str | None = None, name: str | None = None, *, school_units: tuple[str, ...] = ("0180-ENG",),
                   protected: bool = False, pupil_id: str | None = None):
    """A pupil as the directory answers it, for application-level tests without HTTP (a new
    pupil each call unless `pupil_id` names one)."""
    from cases.domain.values import RegisterPupil

    return RegisterPupil(pupil_id=pupil_id or str(uuid.uuid4()), personal_number=number or personal_number(),
                         name=name or pupil_name(), protected=protected, school_units=school_units)


UNIT_REKTORS = {"0180-ENG": "rolf.ek", "0180-KAT": "karin.holm", "0184-TAL": "mia.falk", "0126-SKO": "per.wiklund"}


def directory_pupil(directory, school_unit: str = "0180-ENG", *, number: str | None = None, name: str | None = None,
                    rektor=None, class_name: str = "7A") -> str:
    """A pupil of the directory at `school_unit`, registered locally through the directory's
    POST /pupils by the unit's rektor (a fresh personnummer and name unless given, so reruns
    never collide): the pupil_id to open a case with (POST /cases {school_unit, pupil_id}).
    `directory`: the test stack, or the directory's URL."""
    import httpx

    from eventkit.identity import HEADER, Identity, Role, sign

    url = getattr(directory, "directory_url", directory)
    rektor = rektor or Identity(UNIT_REKTORS.get(school_unit, "rolf.ek"), "Rektor", Role.REKTOR, school_unit.split("-")[0],
                                (school_unit,))
    given, _, family = (name or pupil_name()).partition(" ")
    for _ in range(10):
        body = {"school_unit": school_unit, "personal_number": number or personal_number(), "given_name": given,
                "family_name": family or "Testsson", "class_name": class_name, "reason": "new_pupil"}
        answer = httpx.post(f"{url}/pupils", json=body, timeout=30,
                            headers={HEADER: sign(rektor, audience="directory", caller="frontend")})
        if answer.status_code == 409 and "pupil_id" in answer.json():  # the number is the directory's already
            if number:
                return answer.json()["pupil_id"]  # the pupil asked for
            continue  # a fresh number drawn that another pupil has (who may have a case): draw again
        assert answer.status_code == 201, answer.text
        return answer.json()["pupil_id"]
    raise AssertionError("ten fresh personnummer in a row were the directory's already")


def register_pupil_with_a_new_case(stack, *, guardians: int = 2, school_unit: str = "0180-ENG") -> tuple[dict, str]:
    """A pupil of the development SS 12000 register at `school_unit` (not registered locally, not
    protected) with `guardians` guardians, and a case the unit's teacher opened for the pupil
    just now: a pupil who already has an open case there (another test's, an earlier run's) is
    passed over. The pupil as the directory answers it (name, guardians with their ids), and the
    case's id."""
    import httpx

    from eventkit.identity import HEADER, sign
    from tests.conftest import REKTOR, TEACHER, headers_for

    def directory(path: str, **params) -> dict:
        answer = httpx.get(f"{stack.directory_url}{path}", params=params, timeout=30,
                           headers={HEADER: sign(REKTOR, audience="directory", caller="frontend")})
        assert answer.status_code == 200, answer.text
        return answer.json()

    for listed in directory("/pupils", school_unit=school_unit, limit=200)["pupils"]:
        pupil = directory(f"/pupils/{listed['pupil_id']}")
        if pupil["protected"] or pupil["source"] == "local" or len(pupil["guardians"]) != guardians:
            continue
        opened = httpx.post(f"{stack.cases_url}/cases", json={"school_unit": school_unit, "pupil_id": pupil["pupil_id"]},
                            headers=headers_for(TEACHER, "cases"), timeout=30)
        assert opened.status_code in (200, 201), opened.text
        if opened.status_code == 201:
            return pupil, opened.json()["case_id"]
    raise AssertionError(f"the register has no pupil with {guardians} guardians and no open case at {school_unit}")
