"""The meeting report as a PDF: the HTML printed by Debian's Chromium through Playwright (A4, text kept).

Chromium prints text as text, so the PDF can be searched and copied. Every page's footer carries the
provenance line (study, cut-off, as-of date, filters, fingerprint) and the page number. The browser is
offline while it prints: every request other than the report file itself is refused.

Playwright and Chromium are needed only here: without them :func:`write_pdf` raises
:class:`PdfUnavailable`, whose message says what to install.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from medcare_metrics.errors import MedcareError
from medcare_metrics.report.markup import escape

#: Debian's Chromium (``apt-get install chromium``); ``MEDCARE_CHROMIUM`` names another.
CHROMIUM = "/usr/bin/chromium"
#: Environment variable naming the Chromium executable.
CHROMIUM_ENV = "MEDCARE_CHROMIUM"
#: Flags of a headless, offline Chromium that leaves the machine alone.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: Page margins; the bottom one holds the footer.
MARGINS: dict[str, str] = {"top": "14mm", "bottom": "18mm", "left": "12mm", "right": "12mm"}
#: Width of the printed area in CSS pixels (A4 210 mm less the side margins, 96 px per inch): the figures
#: are drawn at this width, so printing does not cut or redraw them.
PRINT_WIDTH_PX = round((210 - 24) / 25.4 * 96)
#: Milliseconds to wait for the page and for every figure to be drawn.
TIMEOUT_MS = 120_000
#: True once every figure the body announces (``data-figures``) has drawn its SVG.
FIGURES_DRAWN = """() => {
  const wanted = Number(document.body.dataset.figures || 0);
  const drawn = document.querySelectorAll('.js-plotly-plot svg.main-svg').length;
  const plots = document.querySelectorAll('.js-plotly-plot').length;
  return plots >= wanted && drawn >= wanted;
}"""


class PdfUnavailable(MedcareError):
    """The PDF cannot be made here: Playwright or Chromium is missing, or Chromium failed to print."""


def footer_template(provenance: str) -> str:
    """Return Chromium's footer template: the provenance line (escaped) and "Page n of N".

    Parameters
    ----------
    provenance : str
        The report's provenance in one line (:meth:`medcare_metrics.report.build.Provenance.footer`).

    Returns
    -------
    str
        HTML for ``page.pdf(footer_template=...)``; its font size is set, as Chromium's default is 0.
    """
    return (
        '<div style="font-size:7.5px; font-family: sans-serif; color:#52606d; width:100%; '
        "margin:0 12mm; display:flex; justify-content:space-between; gap:12px; "
        'font-variant-ligatures:none;">'
        f"<span>{escape(provenance)}</span>"
        '<span style="white-space:nowrap">Page <span class="pageNumber"></span> of '
        '<span class="totalPages"></span></span></div>'
    )


def chromium_path() -> str:
    """Return the Chromium executable: ``MEDCARE_CHROMIUM``, else Debian's ``/usr/bin/chromium``."""
    return os.environ.get(CHROMIUM_ENV, "").strip() or CHROMIUM


def write_pdf(html: str, out: str | Path, provenance: str, *, timeout_ms: int = TIMEOUT_MS) -> Path:
    """Print the report ``html`` to ``out`` as an A4 PDF with the provenance and page number on every page.

    Parameters
    ----------
    html : str
        The report (:func:`medcare_metrics.report.html.report_html`).
    out : str or pathlib.Path
        The PDF file to write.
    provenance : str
        The footer's provenance line.
    timeout_ms : int, optional
        Milliseconds to wait for the page and its figures.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    PdfUnavailable
        When Playwright is not installed, Chromium is not found, or Chromium fails to load or print.
    """
    try:
        import playwright.sync_api  # noqa: F401  (imported where it is used, in the printing thread)
    except ImportError:
        raise PdfUnavailable(
            "the PDF needs the playwright Python package (pip install playwright) and Chromium "
            "(apt-get install chromium); the HTML report was written"
        ) from None
    chromium = chromium_path()
    if not Path(chromium).is_file():
        raise PdfUnavailable(
            f"the PDF needs Chromium at {chromium} (apt-get install chromium, or set {CHROMIUM_ENV}); "
            "the HTML report was written"
        )
    target = Path(out)
    # Playwright's sync API refuses to run where an asyncio loop runs (a notebook, another Playwright user in
    # the same thread): the printing gets a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(_print, html, target, provenance, chromium, timeout_ms).result()
    return target


def _print(html: str, target: Path, provenance: str, chromium: str, timeout_ms: int) -> None:
    """Load ``html`` in an offline Chromium, wait for its figures and print it to ``target``."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="medcare-report-") as folder:
        page_file = Path(folder) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        url = page_file.as_uri()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
                try:
                    context = browser.new_context(viewport={"width": PRINT_WIDTH_PX, "height": 1100})
                    # Offline: the report file is the only thing the page may load.
                    context.route(
                        "**/*", lambda route: route.continue_() if route.request.url == url else route.abort()
                    )
                    page = context.new_page()
                    page.goto(url, wait_until="load", timeout=timeout_ms)
                    page.wait_for_function(FIGURES_DRAWN, timeout=timeout_ms)
                    page.pdf(
                        path=str(target),
                        format="A4",
                        print_background=True,
                        display_header_footer=True,
                        header_template="<span></span>",
                        footer_template=footer_template(provenance),
                        margin=MARGINS,  # type: ignore[arg-type]  # PdfMargins is this TypedDict
                    )
                finally:
                    browser.close()
        except PlaywrightError as error:
            # Playwright's message names the browser's problem (no data value): the first line is enough.
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise PdfUnavailable(f"Chromium could not print the report: {first}") from None
