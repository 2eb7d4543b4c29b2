"""The meeting report: one self-contained HTML file (and its PDF) of a view, from the app or the command line.

It is a consumer of the view layer, as the pages are: it calls the view functions of
:mod:`medcare_metrics.views` with a :class:`~medcare_metrics.views.ViewScope` and draws their results with the
figure builders of :mod:`medcare_metrics.figures`; no number in it is computed anywhere else. It never
imports streamlit. The PDF (:mod:`medcare_metrics.report.pdf`) prints that HTML in Chromium.
"""

from medcare_metrics.report.build import (
    Provenance,
    ReportContent,
    ReportOptions,
    collect_report,
    provenance,
    report_cutoff,
    report_scope,
    software_version,
)
from medcare_metrics.report.html import SECTIONS, report_html
from medcare_metrics.views.scope import ViewScope


def build_report(scope: ViewScope, options: ReportOptions) -> str:
    """Return the meeting report of ``scope`` as one HTML document (the view functions' signature).

    Parameters
    ----------
    scope : ViewScope
        The view: filters, as-of date and trial settings, as the pages get it.
    options : ReportOptions
        The "changes since" date, patient level or aggregates only, and provenance details.

    Returns
    -------
    str
        The HTML document (:func:`medcare_metrics.report.html.report_html`).
    """
    return report_html(collect_report(scope, options))


__all__ = [
    "SECTIONS",
    "Provenance",
    "ReportContent",
    "ReportOptions",
    "build_report",
    "collect_report",
    "provenance",
    "report_cutoff",
    "report_html",
    "report_scope",
    "software_version",
]
