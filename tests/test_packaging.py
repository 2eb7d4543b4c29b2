"""``pip install .``: pyproject.toml declares every package, every data file and the console script.

Cheap stand-ins for installing into a fresh environment: setuptools expands the configuration as a build
would, and the repository's files are checked against it. The package reads its data through its own
location (``importlib.resources``), so what is declared here is what an installed copy finds.
"""

from __future__ import annotations

import importlib
import importlib.resources
import warnings
from pathlib import Path

import pytest
from conftest import REPO

from medcare_metrics import ctcae
from medcare_metrics.loading import example_path

#: Top-level packages the distribution ships; tests/, bench/, pages/ and dashboard.py stay in the repository.
TOP_LEVEL = ("medcare_metrics", "medcare_app")


@pytest.fixture(scope="module")
def config() -> dict:
    from setuptools.config.pyprojecttoml import read_configuration

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "[tool.setuptools] ... is still *beta*" on older setuptools
        return read_configuration(REPO / "pyproject.toml", expand=True)


def _package_dirs() -> dict[str, Path]:
    """Every folder with an ``__init__.py`` under the top-level packages, by dotted name."""
    out = {}
    for top in TOP_LEVEL:
        for init in sorted((REPO / top).rglob("__init__.py")):
            folder = init.parent
            out[".".join(folder.relative_to(REPO).parts)] = folder
    return out


def _is_data(path: Path) -> bool:
    return path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts


def test_every_package_is_declared(config: dict) -> None:
    assert set(config["tool"]["setuptools"]["packages"]) == set(_package_dirs())


def test_every_data_file_in_a_package_is_declared(config: dict) -> None:
    declared = config["tool"]["setuptools"].get("package-data", {})
    shipped: set[Path] = set()
    for name, patterns in declared.items():
        folder = REPO.joinpath(*name.split("."))
        shipped |= {p for pattern in patterns for p in folder.glob(pattern) if _is_data(p)}
    # A data file belongs to the innermost package folder above it; without a package-data entry the
    # wheel leaves it out.
    missing = []
    for folder in _package_dirs().values():
        for path in folder.rglob("*"):
            innermost = next(p for p in path.parents if (p / "__init__.py").is_file())
            if _is_data(path) and innermost == folder and path not in shipped:
                missing.append(str(path.relative_to(REPO)))
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
    assert (REPO / "medcare_metrics" / "example_data" / "adsl.csv") in shipped
    assert (REPO / "medcare_metrics" / "reference" / "ctcae_v5.csv") in shipped


def test_data_are_found_through_the_package() -> None:
    package = importlib.resources.files("medcare_metrics")
    example = package / "example_data"
    for name in ("adsl", "adtte", "adae", "adtu", "adlb"):
        assert (example / f"{name}.csv").is_file(), name
    assert (package / "reference" / "ctcae_v5.csv").is_file()
    # The code reads its data beside its own modules, not from a repository path.
    assert example_path().resolve() == Path(str(example)).resolve()
    assert ctcae.CTCAE_PATH.resolve() == Path(str(package / "reference" / "ctcae_v5.csv")).resolve()


def test_dependencies_are_requirements_txt(config: dict) -> None:
    lines = (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
    wanted = [x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")]
    assert config["project"]["dependencies"] == wanted


def test_console_script_points_at_the_command_line(config: dict) -> None:
    target = config["project"]["scripts"]["medcare-metrics"]
    module, _, attr = target.partition(":")
    main = getattr(importlib.import_module(module), attr)
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
