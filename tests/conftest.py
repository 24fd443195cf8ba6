"""Shared fixtures. The official CDC kit in ../shared/cdc is a test oracle
only: tests that need it skip cleanly when it is absent."""

import datetime
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED_CDC = ROOT.parent / "shared" / "cdc"
OFFICIAL_XSD = SHARED_CDC / "flux-accrochage-1.1.2.xsd"
OFFICIAL_SAMPLE = SHARED_CDC / "exemple-officiel-1.1.2.xml"
OFFICIAL_TEMPLATE = SHARED_CDC / "docs" / "modele-excel-accrochage-1.4.xlsx"

#: a fixed clock: a winter date (+01:00) and a summer one (+02:00) are tested apart
FIXED_NOW = datetime.datetime(2026, 11, 26, 15, 30, 45)


def _need(path):
    if not path.exists():
        pytest.skip(f"official CDC file absent ({path}); comparison skipped")
    return path


@pytest.fixture(scope="session")
def official_xsd_path():
    return _need(OFFICIAL_XSD)


@pytest.fixture(scope="session")
def official_xsd(official_xsd_path):
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(official_xsd_path)))


@pytest.fixture(scope="session")
def official_sample_path():
    return _need(OFFICIAL_SAMPLE)


@pytest.fixture(scope="session")
def official_template_path():
    return _need(OFFICIAL_TEMPLATE)
