"""The meeting report in Chromium: offline (every request refused), every section, drawn figures, no console
error; and its PDF: searchable text with the cut-off and fingerprint on page 1 and a footer on every page.

One report of the 18-patient example is written by the command line (HTML and PDF) for the module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcare_metrics.__main__ import main
from medcare_metrics.loading import example_path, load_trial
from medcare_metrics.report import SECTIONS
from medcare_metrics.report.pdf import FIGURES_DRAWN

from .conftest import PAGE_TIMEOUT_MS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("report")
    html, pdf = folder / "report.html", folder / "report.pdf"
    assert main(["report", str(example_path()), "--out", str(html), "--pdf", str(pdf)]) == 0
    yield html, pdf


def test_report_opens_offline_with_every_section_and_drawn_figures(
    browser: object, written: tuple[Path, Path]
) -> None:
    html, _ = written
    url = html.as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    refused: list[str] = []

    def only_the_file(route: object) -> None:
        request_url = route.request.url  # type: ignore[attr-defined]
        if request_url == url:
            route.continue_()  # type: ignore[attr-defined]
        else:
            refused.append(request_url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", only_the_file)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function(FIGURES_DRAWN)
        for section_id, heading in SECTIONS:
            title = page.locator(f"section#{section_id} > h2")
            assert title.is_visible(), section_id
            assert title.inner_text().startswith(heading)
        wanted = int(page.locator("body").get_attribute("data-figures") or 0)
        assert wanted >= 10
        assert page.locator(".js-plotly-plot svg.main-svg").count() >= wanted
        # A drawn Kaplan-Meier curve: the survival section's figure has its traces.
        assert page.locator("section#survival .js-plotly-plot .scatterlayer .trace").count() >= 1
        assert page.locator("#cover dd").first.inner_text().startswith("MEDCARE")
    finally:
        context.close()
    assert refused == []
    assert errors == []


def test_pdf_text_holds_cut_off_fingerprint_and_page_footer(written: tuple[Path, Path]) -> None:
    from pypdf import PdfReader

    _, pdf = written
    reader = PdfReader(str(pdf))
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert total >= 5
    trial = load_trial(example_path()).trial
    assert trial is not None
    first = pages[0]
    assert "Data cut-off" in first and "2025-06-30" in first
    assert trial.fingerprint in first
    assert "Metastasis-directed therapy" in first  # the study's title, as text
    for number, text in enumerate(pages, start=1):
        # The footer of every page: the provenance line and the page number.
        assert f"Page {number} of {total}" in text, number
        assert f"fingerprint {trial.fingerprint}" in text, number
        assert re.search(r"MEDCARE · cut-off 2025-06-30 · as of 2025-06-30 · No filters", text), number
