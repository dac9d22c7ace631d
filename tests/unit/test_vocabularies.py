"""Each list of allowed values lives once, in its owning domain (issue 12): the published
vocabularies and the event contracts' enums are generated from it (`make contracts`), and a
test fails when one of them differs."""
from __future__ import annotations

import json
import shutil

import pytest

from deploy import contracts as generator
from deviations.domain.values import Category
from eventkit.contracts import CONTRACTS_DIR
from eventkit.vocabulary import LabelledEnum, labels, values
from frontend import deviation_labels, workflow_labels


def test_every_vocabulary_and_annotated_contract_enum_is_as_the_domain_declares_it():
    stale = [str(path.relative_to(CONTRACTS_DIR.parent)) for path in generator.stale()]
    assert not stale, f"{', '.join(stale)} differ from the domain's enums: run `make contracts` and commit the result"


def test_an_event_enum_that_copies_a_vocabulary_names_it():
    """So that `make contracts` keeps it in step: an unannotated copy would be missed."""
    known = {frozenset(values(name)): name for name in generator.VOCABULARIES}
    for path in sorted((CONTRACTS_DIR / "events").glob("*.json")):
        def walk(node, at=""):
            if isinstance(node, dict):
                if frozenset(node.get("enum", ())) in known:
                    assert node.get("x-vocabulary") == known[frozenset(node["enum"])], (
                        f'{path.name}{at}: add "x-vocabulary": "{known[frozenset(node["enum"])]}"')
                for key, value in node.items():
                    walk(value, f"{at}/{key}")
            elif isinstance(node, list):
                for index, item in enumerate(node):
                    walk(item, f"{at}/{index}")
        walk(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture
def contracts_copy(tmp_path):
    shutil.copytree(CONTRACTS_DIR, tmp_path / "contracts")
    return tmp_path / "contracts"


def _rewrite(path, change):
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")


def test_a_value_added_in_the_domain_raises_the_minor_version_where_it_is_published(contracts_copy):
    # As if the domain had just gained "other": the published files do not have it yet.
    def without_other(node):
        if isinstance(node, dict):
            if "enum" in node:
                node["enum"] = [v for v in node["enum"] if v != "other"]
            for value in node.values():
                without_other(value)
    _rewrite(contracts_copy / "vocabularies" / "DeviationCategory.v1.json", without_other)
    _rewrite(contracts_copy / "events" / "DeviationReported.v1.json", lambda s: without_other(s["properties"]["category"]))

    def version(path):
        return json.loads(path.read_text(encoding="utf-8"))["x-schema-version"]

    def raised(committed):
        major, minor = committed.split(".")
        return f"{major}.{int(minor) + 1}"

    files = generator.generated(contracts_copy)
    vocabulary_path = contracts_copy / "vocabularies" / "DeviationCategory.v1.json"
    event_path = contracts_copy / "events" / "DeviationReported.v1.json"
    vocabulary, event = files[vocabulary_path], files[event_path]
    assert vocabulary["x-schema-version"] == raised(version(vocabulary_path)) and "other" in vocabulary["enum"]
    assert event["x-schema-version"] == raised(version(event_path))
    assert event["properties"]["category"]["enum"] == list(values("DeviationCategory"))
    bus_path = contracts_copy / "events" / "BusDeviation.v1.json"
    assert files[bus_path]["x-schema-version"] == version(bus_path)  # unchanged there


def test_a_value_removed_from_the_domain_is_refused_as_a_breaking_change(contracts_copy):
    _rewrite(contracts_copy / "vocabularies" / "DeviationCategory.v1.json", lambda s: s["enum"].append("retired"))
    with pytest.raises(generator.ValueRemoved, match="retired"):
        generator.generated(contracts_copy)


def test_a_labelled_enum_carries_its_label_and_is_found_by_its_value():
    class Colour(LabelledEnum):
        RED = "red", "Röd"

    assert Colour("red") is Colour.RED and Colour.RED == "red" and Colour.RED.label == "Röd"
    assert Colour.labels() == {"red": "Röd"}


def test_the_frontend_shows_the_labels_the_domain_declares():
    assert deviation_labels.CATEGORIES == Category.labels() == labels("DeviationCategory")
    assert list(workflow_labels.DECISION_LABELS) == list(values("DecisionKind"))
