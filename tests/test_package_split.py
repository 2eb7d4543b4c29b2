"""The loading and synthetic packages: public names, submodules, and a generator that draws as before.

``medcare_metrics/loading.py`` and ``medcare_metrics/synthetic.py`` became packages split along their
subjects; every name other modules, the CLI, bench/ and the tests import must still come from the package.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from medcare_metrics import loading, synthetic

#: Names imported from ``medcare_metrics.loading`` in the repository, and the submodule defining each.
LOADING_NAMES = {
    "load_trial": "load",
    "LoadResult": "validation",
    "PROBLEM_COLUMNS": "validation",
    "summarise_problems": "validation",
    "example_path": "sources",
    "source_path": "sources",
    "fingerprint": "sources",
    "EXTENSIONS": "sources",
    "EXCEL_EXTENSIONS": "sources",
    "SAS_EPOCH": "coercion",
}
#: Names imported from ``medcare_metrics.synthetic``, and the submodule defining each.
SYNTHETIC_NAMES = {
    "generate_trial": "trial",
    "write_trial": "writing",
    "SyntheticOptions": "options",
    "FORMATS": "options",
    "WORKBOOK_NAME": "options",
    "SITE_NAMES": "subjects",
    "AE_CATALOGUE": "adverse_events",
}


@pytest.mark.parametrize(
    ("package", "names"),
    [(loading, LOADING_NAMES), (synthetic, SYNTHETIC_NAMES)],
    ids=["loading", "synthetic"],
)
def test_public_names_come_from_the_package(package: object, names: dict[str, str]) -> None:
    for name, module in names.items():
        submodule = importlib.import_module(f"{package.__name__}.{module}")
        assert getattr(package, name) is getattr(submodule, name), name
        assert name in package.__all__, name
    for name in package.__all__:
        assert hasattr(package, name), name


def test_every_submodule_imports_on_its_own() -> None:
    """No import cycle between the submodules, whichever is imported first (fresh interpreter)."""
    modules = [
        f"{package.__name__}.{m.name}"
        for package in (loading, synthetic)
        for m in pkgutil.iter_modules(package.__path__)
    ]
    assert len(modules) >= 12
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    for key in [k for k in sys.modules if k.startswith('medcare_metrics')]:\n"
        "        del sys.modules[key]\n"
        "    importlib.import_module(name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_example_path_is_the_package_folder() -> None:
    assert loading.example_path() == Path(loading.__file__).parent.parent / "example_data"
    assert (loading.example_path() / "adsl.csv").is_file()


def test_generated_example_is_the_shipped_one_byte_for_byte(tmp_path: Path) -> None:
    """The split generator draws in the same order: the default options still write the shipped example."""
    written = synthetic.write_trial(synthetic.generate_trial(), tmp_path)
    assert [p.name for p in written] == ["adsl.csv", "adtte.csv", "adae.csv", "adtu.csv", "adlb.csv"]
    for path in written:
        assert path.read_bytes() == (loading.example_path() / path.name).read_bytes(), path.name


def test_other_seeds_and_sizes_still_load_cleanly(tmp_path: Path) -> None:
    options = synthetic.SyntheticOptions(patients=40, sites=9, seed=11, accrual_months=6.5)
    synthetic.write_trial(synthetic.generate_trial(options), tmp_path, fmt="parquet")
    result = loading.load_trial(tmp_path)
    assert result.n_errors == 0, result.problems.to_string()
    adsl = result.trial.adsl
    assert int((adsl["ENRLFL"] == "Y").sum()) == 40
    assert adsl["SITEID"].nunique() <= 9
    assert isinstance(result.problems, pd.DataFrame)
