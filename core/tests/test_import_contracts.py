"""The import boundaries of pyproject.toml ([tool.importlinter], run by `make lint`): the code keeps every contract,
and each contract fails when an import it forbids is planted in the import graph."""

import copy
from pathlib import Path

import grimp
import pytest
from importlinter.api import read_configuration
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.protected import ProtectedContract

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
CONTRACT_TYPES = {cls.type_name: cls for cls in (
    ForbiddenContract, IndependenceContract, ProtectedContract, AcyclicSiblingsContract)}


@pytest.fixture(scope="module")
def configuration():
    return read_configuration(str(PYPROJECT))


@pytest.fixture(scope="module")
def graph(configuration):
    return grimp.build_graph(*configuration["session_options"]["root_packages"], cache_dir=None)


def kept(configuration, graph, contract_id, *planted):
    """Whether the contract `contract_id` is kept by the import graph with the `planted` (importer, imported)."""
    options = next(o for o in configuration["contracts_options"] if o["id"] == contract_id)
    contract = CONTRACT_TYPES[options["type"]](name=options["name"], session_options=configuration["session_options"],
                                               contract_options=options)
    planted_graph = copy.deepcopy(graph)
    for importer, imported in planted:
        planted_graph.add_import(importer=importer, imported=imported)
    return contract.check(planted_graph, verbose=False).kept


def test_the_code_keeps_every_contract(configuration, graph):
    ids = [options["id"] for options in configuration["contracts_options"]]
    assert ids == ["core-knows-no-app", "foundation", "public-surface", "registries", "test-support", "acyclic"]
    assert [i for i in ids if not kept(configuration, graph, i)] == []


@pytest.mark.parametrize("contract_id,importer,imported", [
    ("core-knows-no-app", "core.views", "org.models"),
    ("core-knows-no-app", "core.testing", "accounts.models"),  # core's test helpers too
    ("core-knows-no-app", "core.tests.test_scope", "people.views"),  # core's tests: the public surface only
    ("foundation", "org.views", "people.models"),
    ("foundation", "accounts.services", "dashboard.health"),
    ("public-surface", "representatives.views", "people.views"),
    ("public-surface", "friendship.forms", "people.forms"),
    ("public-surface", "accounts.forms", "org.forms"),
    ("public-surface", "activities.tests.test_views", "people.tests.test_views"),  # tests: testing, not tests
    ("registries", "dashboard.views", "people.models"),  # not even the public surface
    ("registries", "duties.demo", "activities.models"),
    ("registries", "dashboard.views", "duties.models"),
    ("test-support", "people.views", "people.testing"),
    ("test-support", "duties.views", "duties.tests.test_models"),
    ("acyclic", "duties.models", "duties.workdays"),
])
def test_a_planted_import_breaks_the_contract(configuration, graph, contract_id, importer, imported):
    assert kept(configuration, graph, contract_id)
    assert not kept(configuration, graph, contract_id, (importer, imported))


@pytest.mark.parametrize("contract_id,importer,imported", [
    ("public-surface", "representatives.views", "people.services"),
    ("public-surface", "activities.forms", "people.models"),
    ("public-surface", "dashboard.tests.test_health", "people.testing"),
    ("registries", "dashboard.views", "core.metrics"),
    ("core-knows-no-app", "core.tests.test_scope", "accounts.testing"),
])
def test_the_public_surface_is_allowed(configuration, graph, contract_id, importer, imported):
    assert kept(configuration, graph, contract_id, (importer, imported))
