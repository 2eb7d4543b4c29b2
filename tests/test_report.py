"""The meeting report: its sections, its provenance, escaping, and numbers equal to the pages' view results.

One report of the 18-patient example is built per module (the views take a few seconds); the browser and
PDF checks are in tests/browser/test_report.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

import pandas as pd
import pytest

from medcare_metrics.__main__ import main
from medcare_metrics.loading import example_path, load_trial
from medcare_metrics.model import TrialData
from medcare_metrics.report import (
    SECTIONS,
    ReportContent,
    ReportOptions,
    collect_report,
    report_html,
    report_scope,
    software_version,
)
from medcare_metrics.report.markup import cell_text, markdown_html, table_html
from medcare_metrics.report.pdf import PdfUnavailable, footer_template, write_pdf
from medcare_metrics.rules import is_high_grade
from medcare_metrics.views.overview import OverviewControls, overview_view
from medcare_metrics.views.survival import SurvivalControls, survival_view
from medcare_metrics.views.toxicity import ToxicityControls, toxicity_view

#: Planted in an adverse event term: must reach the page as text, never as a tag.
PLANTED = '<script>alert("medcare")</script>'
MADE = datetime(2025, 7, 1, 9, 30, 0)


@pytest.fixture(scope="module")
def planted_trial() -> tuple[TrialData, pd.DataFrame]:
    result = load_trial(example_path())
    trial = result.trial
    assert trial is not None and trial.adae is not None
    adae = trial.adae.copy()
    # A high-grade event: it is listed (term and reported term) in the Toxicity section.
    row = adae.index[is_high_grade(adae["AETOXGR"])][0]
    adae.loc[row, "AETERM"] = PLANTED
    adae.loc[row, "AEDECOD"] = PLANTED
    return replace(trial, adae=adae), result.problems


@pytest.fixture(scope="module")
def report(planted_trial: tuple[TrialData, pd.DataFrame]) -> tuple[ReportContent, str]:
    trial, problems = planted_trial
    scope = report_scope(trial, problems)
    content = collect_report(scope, ReportOptions(generated_at=MADE, source_name="example_data"))
    return content, report_html(content)


def test_every_section_is_there_in_order(report: tuple[ReportContent, str]) -> None:
    content, html = report
    positions = []
    for section_id, heading in SECTIONS:
        match = re.search(rf'<section class="report-section" id="{section_id}"><h2>([^<]+)</h2>', html)
        assert match is not None, section_id
        assert match.group(1).startswith(heading)
        positions.append(match.start())
    assert positions == sorted(positions)
    assert content.unavailable == {}
    # The changes section is named after the start of its window (the default: 91 days before the cut-off).
    assert "<h2>Changes since 2025-03-31</h2>" in html


def test_first_screen_names_study_cut_off_as_of_filters_fingerprint_version_and_time(
    report: tuple[ReportContent, str], planted_trial: tuple[TrialData, pd.DataFrame]
) -> None:
    content, html = report
    trial, _ = planted_trial
    cover = html[html.index('<header id="cover">') : html.index("</header>")]
    items = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", cover))
    assert items["Study"] == f"MEDCARE: {trial.study.title}"
    assert items["Data cut-off"] == "2025-06-30"
    assert items["As of"] == "2025-06-30"
    assert items["Filters"] == "No filters"
    assert items["Dataset fingerprint"] == trial.fingerprint and len(trial.fingerprint) == 12
    assert items["Software"] == f"MEDCARE Monitor {software_version()}"
    assert items["Made"] == "2025-07-01 09:30:00"
    assert items["Data source"] == "example_data"
    assert content.provenance.footer() == (
        f"MEDCARE · cut-off 2025-06-30 · as of 2025-06-30 · No filters · fingerprint {trial.fingerprint}"
    )


def test_a_planted_script_in_an_adverse_event_term_stays_text(report: tuple[ReportContent, str]) -> None:
    _, html = report
    assert PLANTED not in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;medcare&quot;)&lt;/script&gt;" in html


def test_numbers_are_the_pages_view_results(
    report: tuple[ReportContent, str], planted_trial: tuple[TrialData, pd.DataFrame]
) -> None:
    content, html = report
    trial, problems = planted_trial
    scope = report_scope(trial, problems)
    overview = overview_view(scope, OverviewControls())
    assert content.overview is not None
    assert content.overview.cards == overview.cards
    for row in overview.cards:
        for card in row:
            assert f'<div class="value">{card.value}</div>' in html
    survival = survival_view(scope, SurvivalControls(endpoint="NESTFS", show_benchmark=True))
    assert content.endpoint == "NESTFS" and content.survival is not None
    pd.testing.assert_frame_equal(content.survival.medians, survival.medians)
    pd.testing.assert_frame_equal(content.survival.at_risk, survival.at_risk)
    median = survival.medians.iloc[0]
    assert f"<td>{median[survival.median_ci_column]}</td>" in html
    toxicity = toxicity_view(scope, ToxicityControls())
    assert content.toxicity is not None and content.toxicity.high is not None and toxicity.high is not None
    assert content.toxicity.high.count == toxicity.high.count
    # Every figure drawn once, and plotly.js inline once (with the first figure only).
    assert html.count('class="plotly-graph-div"') == int(re.search(r'data-figures="(\d+)"', html).group(1))
    assert len(re.findall(r"\* plotly\.js v\d", html)) == 1


def test_the_report_asks_no_other_host(report: tuple[ReportContent, str]) -> None:
    _, html = report
    # plotly.js names its CDN as the default of a map option no figure here uses; the rest names no host.
    bundle = re.compile(r"<script[^>]*>/\*\*\s*\* plotly\.js v.*?</script>", re.DOTALL)
    assert len(bundle.findall(html)) == 1
    html = bundle.sub("", html)
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert "cdn.plot.ly" not in html and "@import" not in html and "url(http" not in html
    assert "Content-Security-Policy" in html


def test_aggregates_only_leave_out_every_subject_identifier(
    report: tuple[ReportContent, str], planted_trial: tuple[TrialData, pd.DataFrame]
) -> None:
    content, full = report
    trial, _ = planted_trial
    viewer = report_html(replace(content, provenance=replace(content.provenance, patient_level=False)))
    ids = trial.adsl["USUBJID"].astype(str)
    assert any(i in full for i in ids)
    assert not [i for i in ids if i in viewer]
    assert "aggregates only (no subject identifiers)" in viewer
    for section_id, _heading in SECTIONS:
        assert f'id="{section_id}"' in viewer


def test_filters_and_as_of_reach_the_provenance(planted_trial: tuple[TrialData, pd.DataFrame]) -> None:
    trial, problems = planted_trial
    from medcare_metrics.filters import Filters

    scope = report_scope(trial, problems, Filters.from_mapping({"SITEID": ["01"]}), date(2025, 1, 31))
    assert scope.replayed and scope.as_of == date(2025, 1, 31) and scope.cutoff == date(2025, 6, 30)
    from medcare_metrics.report import provenance

    made = provenance(scope, ReportOptions(generated_at=MADE))
    assert made.filters == "Centre: UZ Leuven"
    assert made.footer().startswith("MEDCARE · cut-off 2025-06-30 · as of 2025-01-31 · Centre: UZ Leuven")


def test_markup_escapes_data_and_keeps_the_views_markdown() -> None:
    assert markdown_html("**3** of 18 `NESTFS` \\*not bold\\* <b>x</b>") == (
        "<p><strong>3</strong> of 18 <code>NESTFS</code> *not bold* &lt;b&gt;x&lt;/b&gt;</p>"
    )
    assert markdown_html("- one\n- two", "caption") == '<ul class="caption"><li>one</li><li>two</li></ul>'
    assert markdown_html(":material/warning: 2 problems") == "<p>2 problems</p>"
    frame = pd.DataFrame({"<th>": ['<img src=x onerror="y">'], "USUBJID": ["MEDCARE-01-001"], "N": [2.0]})
    table = table_html(frame)
    assert (
        "&lt;th&gt;" in table and "&lt;img src=x onerror=&quot;y&quot;&gt;" in table and "<img" not in table
    )
    assert '<td class="num">2</td>' in table
    assert "MEDCARE-01-001" not in table_html(frame, patient_level=False)
    assert cell_text(pd.Timestamp("2025-06-30")) == "2025-06-30" and cell_text(float("nan")) == ""
    assert "&lt;b&gt;" in footer_template("<b>x</b>")


def test_cli_refuses_bad_arguments_with_a_message(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    assert main(["report", str(example_path()), "--out", str(out), "--filter", "NOPE=1"]) == 2
    assert "ADSL has no column NOPE" in capsys.readouterr().err
    assert main(["report", str(example_path()), "--out", str(out), "--as-of", "30/06/2025"]) == 2
    assert "--as-of must be a date as YYYY-MM-DD" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "error:" in capsys.readouterr().err
    assert not out.exists()


def test_pdf_without_chromium_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("MEDCARE_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(PdfUnavailable, match="needs Chromium"):
        write_pdf("<html></html>", tmp_path / "r.pdf", "footer")
    assert not (tmp_path / "r.pdf").exists()
