"""The engine is a wheel that `pip install` takes from the repository root,
whose doctests run from the installed package; the addon builds with whool as
odoo-addon-accrochage_certificateur and requires the engine."""

import email
import importlib.util
import subprocess
import sys
import zipfile
from importlib.metadata import version

import pytest

from .conftest import ROOT


def _wheel(source, out):
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("*.whl")
    return wheel


def _metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name))


@pytest.fixture(scope="module")
def engine_wheel(tmp_path_factory):
    setuptools = importlib.util.find_spec("setuptools")
    if setuptools is None or int(version("setuptools").split(".")[0]) < 77:
        pytest.skip("setuptools 77 or later needed to build without isolation ('.[dev]')")
    return _wheel(ROOT, tmp_path_factory.mktemp("engine-wheel"))


def test_engine_wheel_holds_the_engine_and_its_data_only(engine_wheel):
    names = zipfile.ZipFile(engine_wheel).namelist()
    assert "accrochage/schemas/flux-1.1.2.xsd" in names
    assert "accrochage/demo/passages.csv" in names
    assert not [n for n in names if n.startswith(("accrochage_certificateur/", "tests/"))]
    metadata = _metadata(engine_wheel)
    assert metadata["Name"] == "accrochage"
    assert any(r.startswith("lxml") for r in metadata.get_all("Requires-Dist"))


def test_installed_engine_runs_its_own_doctests(engine_wheel, tmp_path):
    """Unpacked away from the repository, where `tests/` cannot be imported."""
    site = tmp_path / "site"
    zipfile.ZipFile(engine_wheel).extractall(site)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules"]
        + ["--rootdir", str(site), "-c", "/dev/null", str(site / "accrochage")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout


def test_addon_wheel_is_named_the_oca_way_and_requires_the_engine(tmp_path):
    if importlib.util.find_spec("whool") is None:
        pytest.skip("whool absent: pip install -e '.[dev]'")
    wheel = _wheel(ROOT / "accrochage_certificateur", tmp_path)
    metadata = _metadata(wheel)
    assert metadata["Name"] == "odoo-addon-accrochage_certificateur"
    requires = metadata.get_all("Requires-Dist")
    assert "accrochage" in requires
    assert any(r.startswith("odoo==19.0") for r in requires)
    names = zipfile.ZipFile(wheel).namelist()
    assert "odoo/addons/accrochage_certificateur/__manifest__.py" in names
