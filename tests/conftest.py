"""Shared test set-up: repository on sys.path, AppTest helpers and a tiny hand-built MEDCARE source.

AppTest pattern (see tests/test_app_overview.py)::

    def test_my_page(app):
        at = app("pages/my_page.py", data=TINY)      # MEDCARE_DATA=TINY for this test
        at.run()
        assert not at.exception
        at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
        assert "2 of 4 patients" in header(at)
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pytest

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: Real ADaM data written by others (CDISC pilot, pharmaverseadam) and R's numbers on them; see its README.md.
CONFORMANCE = REPO / "tests" / "data" / "conformance"

#: Test files whose tests take longest, run first (in this order): with ``--dist worksteal`` (pyproject.toml)
#: the worker that finishes early takes tests from the end of the other's queue, so the run ends on short
#: ones.
SLOW_FIRST = (
    "tests/browser/",
    "tests/test_properties.py",
    "tests/test_pages_broken_sources.py",
    "tests/test_edc_example.py",
    "tests/test_predictive.py",
    "tests/test_filter_consistency.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the tests of :data:`SLOW_FIRST` to the front (a stable sort: every worker gets the same order)."""

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return next((i for i, prefix in enumerate(SLOW_FIRST) if path.startswith(prefix)), len(SLOW_FIRST))

    items.sort(key=rank)


@pytest.fixture(autouse=True)
def _access_log_in_a_temporary_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep the access log the app writes on every page view out of the working tree."""
    if "MEDCARE_ACCESS_LOG" not in os.environ:
        monkeypatch.setenv("MEDCARE_ACCESS_LOG", str(tmp_path_factory.mktemp("logs") / "access.log"))


@pytest.fixture(autouse=True)
def _loggers_stay_enabled() -> Iterator[None]:
    """Re-enable the loggers a test disabled: ``logging.config.dictConfig`` disables every logger it does not
    name, and tests/test_layers.py runs import-linter in process, which calls it; the app's access log
    (``medcare.access``) would then stay silent for the tests that come after it in the same worker.
    """
    enabled = [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.disabled
    ]
    yield
    for logger in enabled:
        logger.disabled = False


@pytest.fixture(autouse=True)
def _navigation_like_the_server() -> Iterator[None]:
    """Make AppTest run ``dashboard.py`` as the server does.

    AppTest re-detects the legacy ``pages/`` directory before every run and then skips the entry script on
    reruns (its widgets vanish); the server drops that legacy mode for good once ``st.navigation`` is called.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        PagesManager.__init__ = original  # type: ignore[method-assign]


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """Return ``make(script, data=None, query=None)`` building an AppTest of a repository script.

    ``data`` sets MEDCARE_DATA for the test (None: the shipped example); ``query`` sets the URL query
    parameters. Streamlit's data cache is cleared first so every test reads its own source.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()

    def make(script: str, data: Path | str | None = None, query: dict[str, object] | None = None) -> AppTest:
        if data is None:
            monkeypatch.delenv("MEDCARE_DATA", raising=False)
        else:
            monkeypatch.setenv("MEDCARE_DATA", str(data))
        at = AppTest.from_file(str(REPO / script), default_timeout=90)
        if query:
            at.query_params.update(query)
        return at

    return make


def open_page(at: object, name: str) -> object:
    """Switch an AppTest of ``dashboard.py`` to the page whose URL path is ``name`` (``"survival"``).

    ``dashboard.py`` registers its pages as functions (each receives the page context explicitly), which
    ``AppTest.switch_page`` cannot find by file; this looks the page up among the pages ``st.navigation``
    registered in the last run, as a browser does by URL. Call ``run()`` afterwards.
    """
    registered = at._registered_pages  # type: ignore[attr-defined]
    for page_hash, info in registered.items():
        # The default page's URL path is empty; its title ("Overview") names it.
        title = str(info.get("page_name", "")).lower().replace(" ", "_")
        if name in (info.get("url_pathname"), title):
            at._page_hash = page_hash  # type: ignore[attr-defined]
            return at
    raise AssertionError(
        f"no page {name!r} registered; known: {[i.get('url_pathname') for i in registered.values()]}"
    )


def in_each_tab(at: object, key: str, labels: Sequence[str], read: Callable[[object], T]) -> list[T]:
    """Open each tab of the group ``key`` in turn (a page draws only its open tab); return each ``read(at)``.

    Every run must end without an exception. The tab group is left on the last label.
    """
    results = []
    for label in labels:
        at.session_state[key] = label  # type: ignore[attr-defined]
        at.query_params[key] = label  # type: ignore[attr-defined]  # a tab bound to the address
        at.run()  # type: ignore[attr-defined]
        assert not at.exception, (label, [e.value for e in at.exception])  # type: ignore[attr-defined]
        results.append(read(at))
    return results


def header(at: object) -> str:
    """Return the page's "n of N patients" line (the first markdown block of the main area)."""
    return at.main.markdown[0].value  # type: ignore[attr-defined]


def metrics(at: object) -> dict[str, str]:
    """Return ``{label: value}`` of the metrics on the page (the first metric of each label)."""
    shown: dict[str, str] = {}
    for m in at.metric:  # type: ignore[attr-defined]
        shown.setdefault(m.label, m.value)
    return shown


def write_source(folder: Path, **frames: pd.DataFrame) -> Path:
    """Write ``adsl=..., adtte=...`` as CSV files into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def tiny_frames() -> dict[str, pd.DataFrame]:
    """A 6-subject MEDCARE source with hand-checkable answers.

    Enrolled: T-01..T-04 (T-05, T-06 screen failures); centre 01 UZ Leuven: T-01, T-02, T-06; centre 02 UZ
    Gent: T-03, T-04, T-05. On study (EOSSTT ONGOING, alive): T-01, T-04. NEST-FS events: T-01 (day 300),
    T-02 (day 100); PFS events T-01, T-02, T-03. Grade >= 3 AEs: T-02, T-04. Cut-off 2024-01-31.
    """
    adsl = pd.DataFrame(
        {
            "STUDYID": "MEDCARE",
            "USUBJID": [f"T-0{i}" for i in range(1, 7)],
            "SITEID": ["01", "01", "02", "02", "02", "01"],
            "SITENAME": ["UZ Leuven", "UZ Leuven", "UZ Gent", "UZ Gent", "UZ Gent", "UZ Leuven"],
            "SCRNDT": ["2022-01-03", "2022-03-01", "2022-05-20", "2023-02-01", "2022-08-01", "2023-05-01"],
            "ENRLFL": ["Y", "Y", "Y", "Y", "N", "N"],
            "ENRLDT": ["2022-01-10", "2022-03-05", "2022-06-01", "2023-02-15", "", ""],
            "AGE": [70, 66, 81, 59, 64, 77],
            "SYSTHER": ["ADT", "ADT + abiraterone", "ADT", "ADT", "ADT", "ADT"],
            "NLES": [1, 2, 1, 3, 5, 1],
            "MDTTYPE": ["SBRT", "Surgery", "SBRT", "SBRT + surgery", "", ""],
            "TRTSDT": ["2022-01-20", "2022-03-15", "2022-06-10", "2023-02-25", "", ""],
            "EOSSTT": ["ONGOING", "DISCONTINUED", "COMPLETED", "ONGOING", "DISCONTINUED", "DISCONTINUED"],
            "DTHFL": ["N", "N", "N", "N", "N", "N"],
            "DCUTDT": "2024-01-31",
        }
    )
    start = pd.to_datetime(pd.Series(["2022-01-10", "2022-03-05", "2022-06-01", "2023-02-15"]))
    nest = [300, 100, 200, 250]
    pfs = [150, 80, 200, 100]
    adtte = pd.DataFrame(
        {
            "USUBJID": [f"T-0{i}" for i in range(1, 5)] * 2,
            "PARAMCD": ["NESTFS"] * 4 + ["PFS"] * 4,
            "AVAL": nest + pfs,
            "AVALU": "DAYS",
            "CNSR": [0, 0, 1, 1, 0, 0, 0, 1],  # NESTFS then PFS
            "STARTDT": list(start.dt.strftime("%Y-%m-%d")) * 2,
            "ADT": [
                (s + pd.Timedelta(days=d)).strftime("%Y-%m-%d")
                for s, d in zip(list(start) * 2, nest + pfs, strict=True)
            ],
        }
    )
    adae = pd.DataFrame(
        {
            "USUBJID": ["T-01", "T-02", "T-02", "T-04"],
            "AEDECOD": ["Fatigue", "Cystitis noninfective", "Diarrhea", "Proctitis"],
            "AEBODSYS": [
                "General disorders and administration site conditions",
                "Renal and urinary disorders",
                "Gastrointestinal disorders",
                "Gastrointestinal disorders",
            ],
            "ATOXGR": [1, 3, 2, 3],
            "ASTDT": ["2022-02-01", "2022-04-01", "2022-04-10", "2023-03-20"],
        }
    )
    return {"adsl": adsl, "adtte": adtte, "adae": adae}


@pytest.fixture
def tiny_source(tmp_path: Path) -> Path:
    """Folder holding :func:`tiny_frames` as CSV files."""
    return write_source(tmp_path / "tiny", **tiny_frames())
