"""The meeting report as one self-contained HTML file: plotly.js inline once, system fonts, no other host.

:func:`report_html` draws a :class:`~medcare_metrics.report.build.ReportContent` (the pages' view results)
with the figure builders of :mod:`medcare_metrics.figures`. Every data value is escaped
(:mod:`medcare_metrics.report.markup`); the figures' data travel as plotly's JSON, which escapes ``<``, ``>``
and ``/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medcare_metrics.figures.decision import monitoring_figure, outlook_figure
from medcare_metrics.figures.enrollment import (
    cumulative_enrollment_figure,
    event_maturity_figure,
    screening_funnel_figure,
)
from medcare_metrics.figures.lesions import (
    detection_figure,
    lesion_count_figure,
    lesion_site_figure,
    patient_site_figure,
    site_pattern_figure,
)
from medcare_metrics.figures.overview import enrollment_progress_figure
from medcare_metrics.figures.patients import psa_waterfall_figure, swimmer_figure
from medcare_metrics.figures.survival import km_figure
from medcare_metrics.figures.toxicity import toxicity_grade_figure
from medcare_metrics.report.build import ReportContent
from medcare_metrics.report.markup import (
    caption_html,
    definitions_html,
    escape,
    markdown_html,
    metrics_html,
    table_html,
)
from medcare_metrics.text import decision as decision_text
from medcare_metrics.text import enrollment as enrollment_text
from medcare_metrics.text import followup as followup_text
from medcare_metrics.text import patients as patients_text
from medcare_metrics.text import queries as queries_text
from medcare_metrics.views.lesions import CountFigure

if TYPE_CHECKING:  # the figures are plotly's; this module only asks them for their HTML
    import plotly.graph_objects as go

#: Sections of the report: ``(id, heading)``, in order (the last heading is completed with its date).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("enrollment", "Enrollment"),
    ("patients", "Patients"),
    ("survival", "Survival"),
    ("lesions", "Lesions"),
    ("toxicity", "Toxicity"),
    ("data-quality", "Data quality"),
    ("changes", "Changes since"),
)
#: Said in a section drawn for the viewer role where the app shows patient-level content.
AGGREGATES_ONLY = "Patient-level tables and figures are left out: this report shows aggregates only."
#: The plotly config of every figure: no logo, no editing, redrawn to the page's width.
PLOTLY_CONFIG: dict[str, object] = {"displaylogo": False, "responsive": True, "displayModeBar": False}

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1040px; padding: 24px 32px 48px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", Arial,
  sans-serif;
  font-size: 14px; line-height: 1.45; color: #1f2933; background: #ffffff;
  /* No ligatures: "cut-off" stays six letters in the PDF's text, so a search for it finds it. */
  font-variant-ligatures: none; font-feature-settings: "liga" 0, "clig" 0; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 0 0 12px; padding-bottom: 4px; border-bottom: 2px solid #0072B2; }
h3 { font-size: 16px; margin: 20px 0 6px; }
p { margin: 6px 0; }
.subtitle { font-size: 16px; color: #52606d; margin: 0 0 16px; }
.caption { color: #52606d; font-size: 12.5px; }
.note { background: #eef4fb; border-left: 4px solid #0072B2; padding: 6px 10px; margin: 8px 0; }
.warning { background: #fff4e5; border-left: 4px solid #E69F00; padding: 6px 10px; margin: 8px 0; }
section.report-section { margin-top: 36px; }
dl.provenance { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 12px 0 20px;
  padding: 12px 16px; border: 1px solid #cbd2d9; border-radius: 6px; }
dl.provenance dt { font-weight: 600; }
dl.provenance dd { margin: 0; overflow-wrap: anywhere; }
nav ol { columns: 2; margin: 6px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px;
  margin: 8px 0; }
.card { border: 1px solid #cbd2d9; border-radius: 6px; padding: 8px 10px; break-inside: avoid; }
.card .label { font-size: 12.5px; color: #52606d; }
.card .value { font-size: 22px; font-weight: 600; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 6px 0 4px; font-size: 12px; width: auto; max-width: 100%; }
th, td { border: 1px solid #d9e2ec; padding: 3px 6px; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #f0f4f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
tr, figure, .card { break-inside: avoid; }
figure.chart { margin: 8px 0 4px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 0.95em; }
@media print {
  body { max-width: none; padding: 0; font-size: 11.5px; }
  section.report-section { margin-top: 0; break-before: page; }
  /* The overview shares the first page with the provenance: the numbers a meeting starts from. */
  section#overview { margin-top: 20px; break-before: auto; }
  h2, h3 { break-after: avoid; }
}
"""


@dataclass
class _Figures:
    """Turns figures into HTML: plotly.js inline with the first one only, a div and its script each."""

    drawn: int = 0
    ids: list[str] = field(default_factory=list)

    def html(self, fig: go.Figure, caption: str = "") -> str:
        div_id = f"figure-{self.drawn + 1}"
        body = fig.to_html(
            full_html=False,
            include_plotlyjs=self.drawn == 0,
            config=PLOTLY_CONFIG,
            div_id=div_id,
            default_width="100%",
        )
        self.drawn += 1
        self.ids.append(div_id)
        return f'<figure class="chart">{body}{caption_html(caption)}</figure>'


def _unavailable(content: ReportContent, key: str) -> str:
    reason = content.unavailable.get(key, "")
    return markdown_html(reason, "note") if reason else ""


def _join(parts: Iterable[str]) -> str:
    return "".join(p for p in parts if p)


def _overview(content: ReportContent, figures: _Figures) -> str:
    view = content.overview
    if view is None:
        return _unavailable(content, "overview")
    cards = [(c.label, c.value, c.caption) for row in view.cards for c in row]
    return _join(
        (
            markdown_html(getattr(view, "status", "")),  # one sentence of where the trial stands
            metrics_html(cards),
            "<h3>Enrollment against target</h3>",
            figures.html(enrollment_progress_figure(view.progress, view.target)),
        )
    )


def _enrollment(content: ReportContent, figures: _Figures) -> str:
    view = content.enrollment
    if view is None:
        return _unavailable(content, "enrollment")
    status = view.status
    parts = [
        f"<h3>{escape(status.headline)}</h3>",
        metrics_html(status.metrics),
        markdown_html(status.prediction_text),
        caption_html(status.method_text if status.prediction_text else status.no_prediction),
        caption_html(status.rate_text),
        caption_html(status.filter_note),
        markdown_html(view.empty_text, "note"),
    ]
    if view.cumulative is not None:
        figure = view.cumulative
        parts += [
            "<h3>Cumulative enrollment</h3>",
            figures.html(
                cumulative_enrollment_figure(
                    figure.cumulative,
                    figure.projection,
                    figure.centre_names,
                    figure.completed_on,
                    total_label=figure.total_label,
                ),
                view.cumulative_caption,
            ),
            "<h3>Screening funnel</h3>",
            figures.html(screening_funnel_figure(view.funnel, view.reasons), enrollment_text.FUNNEL_CAPTION),
            markdown_html(enrollment_text.SCREEN_FAILURES_HEADING),
            table_html(
                view.reasons,
                columns=("KIND", "SCRFCRIT", "CRITERION", "N"),
                labels={
                    "KIND": "Criterion type",
                    "SCRFCRIT": "Code",
                    "CRITERION": "Criterion",
                    "N": "Screen failures",
                },
                empty=enrollment_text.NO_SCREEN_FAILURE,
            ),
            "<h3>Per centre</h3>",
            table_html(view.centres, patient_level=content.patient_level),
            caption_html(view.centre_caption),
        ]
        maturity = view.maturity
        parts.append("<h3>Event maturity</h3>")
        if maturity.missing_adtte:
            parts.append(caption_html("No ADTTE: no event maturity."))
        elif maturity.unavailable:
            parts.append(markdown_html(maturity.unavailable, "note"))
        else:
            parts += [
                metrics_html(maturity.metrics),
                figures.html(event_maturity_figure(maturity.lines, maturity.events_needed)),
                markdown_html("\n".join(f"- {line}" for line in maturity.reached)),
                caption_html(maturity.caption),
            ]
    return _join(parts)


def _patients(content: ReportContent, figures: _Figures) -> str:
    level = content.patient_level
    parts = [] if level else [markdown_html(AGGREGATES_ONLY, "note")]
    swimmer = content.swimmer
    parts.append("<h3>Follow-up of each patient</h3>")
    if swimmer is None:
        parts.append(_unavailable(content, "swimmer"))
    elif swimmer.patients.empty:
        parts.append(caption_html(getattr(swimmer, "no_patient", "") or patients_text.NO_SWIMMER))
    else:
        parts.append(markdown_html(swimmer.summary))
        if level:
            parts.append(figures.html(swimmer_figure(swimmer.patients, swimmer.events), swimmer.caption))
    waterfall = content.waterfall
    parts.append("<h3>PSA response</h3>")
    if waterfall is None:
        parts.append(_unavailable(content, "waterfall"))
    elif waterfall.missing_adlb:
        parts.append(caption_html("No ADLB (laboratory data): no PSA response."))
    elif waterfall.unavailable:
        parts.append(caption_html(waterfall.unavailable))
    else:
        parts.append(markdown_html(waterfall.sentence))
        if level:
            fig = psa_waterfall_figure(waterfall.waterfall, title=waterfall.title)
            parts.append(figures.html(fig, waterfall.caption))
    follow_up = content.follow_up
    parts.append("<h3>Follow-up visits due</h3>")
    if follow_up is None:
        parts.append(_unavailable(content, "follow_up"))
    elif follow_up.unavailable:
        parts.append(caption_html(follow_up.unavailable))
    elif follow_up.none_on_study:
        parts += [caption_html(follow_up.schedule), markdown_html(follow_up.none_on_study, "note")]
    else:
        parts += [
            caption_html(follow_up.schedule),
            markdown_html(follow_up.sentence),
            markdown_html(followup_text.BY_CENTRE_TITLE),
            table_html(follow_up.by_centre),
        ]
        if level:
            parts += [markdown_html(followup_text.LIST_TITLE), table_html(follow_up.shown)]
    return _join(parts)


def _survival(content: ReportContent, figures: _Figures) -> str:
    view = content.survival
    if content.endpoint is None:
        return _unavailable(content, "survival") or caption_html("No time-to-event data (ADTTE).")
    parts = [f"<h3>{escape(content.endpoint_label)} (primary endpoint)</h3>"]
    if view is None:
        return _join([*parts, _unavailable(content, "survival")])
    if view.unavailable or view.figure is None:
        return _join([*parts, markdown_html(view.unavailable, "note")])
    figure = view.figure
    fig = km_figure(
        figure.curve,
        figure.medians,
        figure.at_risk,
        unit=figure.unit,
        benchmarks=figure.benchmarks,
        tail=figure.tail,
        threshold=figure.threshold,
        show_ci=figure.show_ci,
        title=figure.title,
        counts=figure.counts,
    )
    medians = view.medians.drop(columns=[c for c in ("CI method",) if c in view.medians.columns])
    parts += [
        figures.html(fig, view.figure_caption),
        "<h3>Median</h3>",
        table_html(medians, labels={view.median_ci_column: view.median_ci_heading}),
        caption_html(view.median_caption),
        "<h3>Numbers at risk</h3>",
        table_html(view.at_risk),
        caption_html(view.at_risk_caption),
    ]
    if view.landmark_times:
        parts += [
            "<h3>Landmark survival</h3>",
            table_html(view.landmarks),
            caption_html(view.landmark_caption),
        ]
    parts.append(_outlook(content, figures))
    return _join(parts)


def _outlook(content: ReportContent, figures: _Figures) -> str:
    outlook = content.outlook
    parts = [f"<h3>{escape(decision_text.OUTLOOK_HEADING)}</h3>"]
    if outlook is None:
        return _join([*parts, _unavailable(content, "outlook")])
    if outlook.unavailable:
        return _join([*parts, caption_html(outlook.unavailable)])
    parts += [
        markdown_html(outlook.headline),
        caption_html(outlook.caveat),
        table_html(outlook.table),
        caption_html(outlook.so_far),
        caption_html(outlook.filters_note),
    ]
    if outlook.figure is not None:
        fig = outlook_figure(outlook.figure.bars, outlook.figure.benchmarks)
        parts.append(figures.html(fig, outlook.figure_caption))
    parts += [
        "<p><strong>Sensitivity</strong></p>",
        table_html(outlook.sensitivity),
        caption_html(outlook.sensitivity_caption),
        "<p><strong>Assumptions of the model</strong></p>",
        markdown_html("\n".join(f"- {sentence}" for sentence in outlook.assumptions)),
    ]
    return _join(parts)


def _count_figure(figure: CountFigure, figures: _Figures, caption: str = "") -> str:
    fig = lesion_count_figure(
        figure.distribution, max_lesions=figure.max_lesions, limit_label=figure.limit_label
    )
    return figures.html(fig, caption)


def _lesions(content: ReportContent, figures: _Figures) -> str:
    view = content.lesions
    level = content.patient_level
    if view is None:
        return _unavailable(content, "lesions")
    if not view.shows_tabs:
        if view.missing_adtu and view.adsl_counts is not None:
            adsl = view.adsl_counts
            if adsl.figure is None:
                return markdown_html(adsl.caption, "note")
            return _join(
                (f"<h3>{escape(adsl.heading)}</h3>", _count_figure(adsl.figure, figures, adsl.caption))
            )
        return markdown_html(view.unavailable or view.no_patient, "note")
    assert view.counts and view.sites and view.detection and view.mdt and view.map
    counts = view.counts
    warning = counts.warning if level else counts.warning_without_ids
    parts = [
        "<h3>Lesions per patient</h3>",
        _count_figure(counts.figure, figures),
        markdown_html(warning, "warning"),
        caption_html(counts.caption),
        "<h3>Sites</h3>",
        figures.html(lesion_site_figure(view.sites.by_site), view.sites.caption),
        "<h3>Detection (PSMA PET-CT)</h3>",
    ]
    detection = view.detection
    if detection.unavailable or detection.summary is None:
        parts.append(caption_html(detection.unavailable))
    else:
        parts += [
            metrics_html(
                (m.label, m.value if m.percent is None else f"{m.value} ({m.percent})", m.help or "")
                for m in detection.metrics
            ),
            caption_html(detection.caption),
            figures.html(detection_figure(detection.summary)),
        ]
    parts.append("<h3>MDT per lesion</h3>")
    mdt = view.mdt
    parts.append(caption_html(mdt.unavailable) if mdt.unavailable else table_html(mdt.per_lesion))
    dose = mdt.dose
    parts.append("<h3>Radiotherapy dose and fractionation</h3>")
    if dose.unavailable:
        parts.append(caption_html(dose.unavailable))
    else:
        parts += [
            caption_html(dose.caption),
            table_html(dose.by_modality),
            "<p><strong>Schedules</strong></p>",
            table_html(dose.schedules),
        ]
    parts += [
        "<h3>Site patterns</h3>",
        figures.html(site_pattern_figure(view.map.patterns), view.map.patterns_caption),
    ]
    if level:
        site_map = view.map.map
        fig = patient_site_figure(site_map.matrix, compact_above=site_map.compact_above)
        parts += ["<h3>Patient × site category</h3>", figures.html(fig, view.map.map_caption)]
    return _join(parts)


def _toxicity(content: ReportContent, figures: _Figures) -> str:
    view = content.toxicity
    level = content.patient_level
    if view is None:
        return _unavailable(content, "toxicity")
    parts = [markdown_html(view.intro)]
    if view.missing_adae:
        return _join([*parts, caption_html("No ADAE (adverse events): no toxicity.")])
    # A selection matching no patient fills nothing below (``no_patient`` is newer than some views).
    reason = view.unavailable or getattr(view, "no_patient", "")
    if reason or view.overall is None or view.soc is None or view.high is None:
        return _join([*parts, markdown_html(reason or "No adverse event to count.", "note")])
    group = {"GROUP": view.group_label} if view.group_label else {}
    parts += [
        markdown_html(view.severity_note, "note"),
        caption_html(view.denominator_caption),
        caption_html(view.ctcae_caption),
        "<h3>Any adverse event</h3>",
        figures.html(toxicity_grade_figure(view.overall.figure.counts, value=view.overall.figure.value)),
        table_html(view.overall.table, labels=group),
        "<h3>By system organ class</h3>",
        figures.html(
            toxicity_grade_figure(
                view.soc.figure.counts, value=view.soc.figure.value, max_rows=view.soc.figure.max_rows
            )
        ),
        table_html(view.soc.table, labels=group),
        f"<h3>{escape(view.high_label)} patients</h3>",
        markdown_html(view.high.sentence),
    ]
    if level:
        parts += [
            table_html(view.high.patients, labels=group),
            f"<h3>{escape(view.high.heading)}</h3>",
            caption_html(view.high.events_caption),
            table_html(view.high.events, labels=group),
        ]
    if view.phase is not None:
        parts += [
            "<h3>Acute and late</h3>",
            caption_html(view.phase.caption),
            table_html(view.phase.overall.table),
        ]
    parts.append("<h3>Relationship to MDT</h3>")
    if view.relationship is None:
        parts.append(caption_html(view.relationship_unavailable))
    else:
        parts += [caption_html(view.relationship.caption), table_html(view.relationship.overall.table)]
    parts.append(_monitoring(content, figures))
    return _join(parts)


def _monitoring(content: ReportContent, figures: _Figures) -> str:
    monitoring = content.monitoring
    parts = [f"<h3>{escape(decision_text.MONITORING_HEADING)}</h3>"]
    if monitoring is None:
        return _join([*parts, _unavailable(content, "monitoring")])
    parts.append(caption_html(monitoring.description))
    if monitoring.unavailable:
        return _join([*parts, caption_html(monitoring.unavailable)])
    parts += [markdown_html(monitoring.status), markdown_html(monitoring.rule)]
    if monitoring.figure is not None:
        figure = monitoring.figure
        parts.append(figures.html(monitoring_figure(figure.boundary, figure.course, figure.crossed_at)))
    parts += [
        caption_html(monitoring.caveat),
        caption_html(monitoring.whole_trial),
        table_html(monitoring.operating),
        caption_html(monitoring.operating_caption),
    ]
    if content.patient_level:
        parts += ["<p><strong>Patients in order of MDT start</strong></p>", table_html(monitoring.course)]
    return _join(parts)


def _data_quality(content: ReportContent) -> str:
    view = content.data_quality
    level = content.patient_level
    if view is None:
        return _unavailable(content, "data_quality")
    parts = ["<h3>Validation problems</h3>"]
    if view.problems.empty:
        parts.append(markdown_html("No validation problem: every dataset passed its checks.", "note"))
    else:
        parts += [
            caption_html(view.problems_caption),
            table_html(
                view.summary,
                columns=("severity", "dataset", "column", "check", "count", "subjects", "example"),
            ),
        ]
    if view.notes:
        parts += [
            "<h3>What loading derived or assumed</h3>",
            markdown_html("\n".join(f"- {n}" for n in view.notes)),
        ]
    parts.append(caption_html(view.replay_note))
    for heading, section in (
        ("Possible protocol deviations", view.deviations),
        ("Consistency", view.consistency),
    ):
        parts.append(f"<h3>{escape(heading)}</h3>")
        if not section.findings.empty:
            parts.append(markdown_html(f"{len(section.findings)} findings."))
            if level:
                parts.append(table_html(section.findings))
        elif section.n_checked == 0:
            parts.append(caption_html(section.none_checked_text))
        else:
            parts.append(markdown_html(section.ok_text))
    parts.append(caption_html(view.uncheckable_text))
    ctcae = view.ctcae
    parts.append(f"<h3>{escape(ctcae.heading)}</h3>")
    if ctcae.missing_adae:
        parts.append(caption_html("No ADAE: no CTCAE check."))
    elif not ctcae.applies:
        parts.append(markdown_html(ctcae.no_grade_note, "note"))
    elif ctcae.problems.empty:
        parts.append(markdown_html(ctcae.ok_text))
    else:
        parts += [
            markdown_html(f"{len(ctcae.problems)} adverse events do not fit."),
            caption_html(ctcae.problems_caption),
        ]
        if level:
            parts.append(table_html(ctcae.problems))
    parts += [f"<h3>{escape(queries_text.HEADING)}</h3>", caption_html(queries_text.CAPTION)]
    if view.queries.empty:
        parts.append(markdown_html(queries_text.NONE))
    else:
        parts += [
            caption_html(view.queries_caption),
            markdown_html(queries_text.COUNTS_TITLE),
            table_html(view.queries_by_centre),
        ]
    return _join(parts)


def _changes(content: ReportContent) -> str:
    view = content.changes
    if view is None:
        return _unavailable(content, "changes")
    if view.unavailable:
        return caption_html(f"No changes: {view.unavailable}")
    parts = [
        markdown_html(view.sentence),
        metrics_html((label, str(count), "") for label, count in view.counts),
    ]
    parts += [caption_html(note) for note in view.notes]
    if content.patient_level:
        for listing in view.listings:
            parts += [
                f"<h3>{escape(listing.title)}</h3>",
                table_html(listing.table, empty=patients_text.NO_CHANGE),
            ]
    else:
        parts.append(markdown_html(AGGREGATES_ONLY, "note"))
    return _join(parts)


def changes_heading(content: ReportContent) -> str:
    """Return the heading of the last section: ``"Changes since 2025-03-31"`` (the window's start)."""
    view = content.changes
    if view is None or view.changes is None:
        return "Changes since a date"
    return f"Changes since {view.changes.since:%Y-%m-%d}"


def _cover(content: ReportContent, headings: list[tuple[str, str]]) -> str:
    p = content.provenance
    title = p.study_title or p.study_id
    toc = "".join(f'<li><a href="#{escape(i)}">{escape(h)}</a></li>' for i, h in headings)
    return (
        f'<header id="cover"><h1>{escape(title)}</h1>'
        f'<p class="subtitle">Meeting report · {escape(p.study_id)} · as of {escape(p.items()[2][1])}</p>'
        f"{definitions_html(p.items())}"
        f'<nav aria-label="Contents"><strong>Contents</strong><ol>{toc}</ol></nav></header>'
    )


def report_html(content: ReportContent) -> str:
    """Return the report as one HTML document: first screen, then one section per page of the app.

    Parameters
    ----------
    content : ReportContent
        The view results (:func:`medcare_metrics.report.build.collect_report`).

    Returns
    -------
    str
        A self-contained document: plotly.js inline once (with the first figure), CSS inline, system fonts,
        no link to another host. The ``<body>`` carries ``data-figures``, the number of figures, so that a
        reader (the PDF printer, a test) knows when every one has been drawn.
    """
    figures = _Figures()
    bodies = {
        "overview": _overview(content, figures),
        "enrollment": _enrollment(content, figures),
        "patients": _patients(content, figures),
        "survival": _survival(content, figures),
        "lesions": _lesions(content, figures),
        "toxicity": _toxicity(content, figures),
        "data-quality": _data_quality(content),
        "changes": _changes(content),
    }
    headings = [(i, changes_heading(content) if i == "changes" else h) for i, h in SECTIONS]
    sections = "".join(
        f'<section class="report-section" id="{escape(i)}"><h2>{escape(h)}</h2>{bodies[i]}</section>'
        for i, h in headings
    )
    p = content.provenance
    title = f"{p.study_id} meeting report, as of {p.items()[2][1]}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Nothing may be fetched from anywhere: scripts and styles are inline, images data: URIs only.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; "
        'font-src data:">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f'<body data-figures="{figures.drawn}">{_cover(content, headings)}{sections}'
        f'<footer class="caption"><p>{escape(p.footer())}</p></footer></body></html>\n'
    )
