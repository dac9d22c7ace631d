"""A municipality's identities a page at a time (eventkit.keystore.KeyStore.identities_in_pages):
what the directory's register of names and the cases service's name check read, so that a
municipality of a county's size is never decrypted into memory all at once."""
from __future__ import annotations

import pytest

from eventkit.keystore import KeyStore
from tests.support.pupils import register_pupil

pytestmark = pytest.mark.integration


def test_every_pupil_of_the_municipality_comes_once_in_pages_and_no_one_else_or_disposed_of():
    keys = KeyStore("CASES_DB")
    before = {i.pupil_ref for i in keys.identities("0180")}
    ours = {}
    for n in range(7):
        pupil = register_pupil(name=f"Sidelev {n} Paginering")
        ours[keys.pupil_for("0180", pupil.personal_number, pupil.name)] = pupil.name
    elsewhere = register_pupil(name="Annan Kommunelev")
    other = keys.pupil_for("0127", elsewhere.personal_number, elsewhere.name)
    gone = next(iter(ours))
    keys.destroy(gone)

    pages = list(keys.identities_in_pages("0180", size=3))
    seen = [identity for page in pages for identity in page]
    assert all(len(page) <= 3 for page in pages)
    assert len(seen) == len({i.pupil_ref for i in seen}), "a pupil came twice"
    names = {i.pupil_ref: i.name for i in seen if i.pupil_ref not in before}
    assert names == {ref: name for ref, name in ours.items() if ref != gone}
    assert other not in {i.pupil_ref for i in seen}
    assert {i.pupil_ref for i in seen} == {i.pupil_ref for i in keys.identities("0180")}
