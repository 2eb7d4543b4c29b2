"""Exports carry their context: provenance in file names, "About" sheets and figure footers.

Also: formula cells inert, one sentence for an empty selection, one centre against its own share of the plan,
labels for people.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from conftest import tiny_frames, write_source

from medcare_metrics.export import ABOUT_SHEET
from medcare_metrics.figures.style import TITLE_WIDTH, apply_layout, with_provenance
from medcare_metrics.filters import Filters, apply_filters
from medcare_metrics.loading import example_path, load_trial
from medcare_metrics.model import TrialData
from medcare_metrics.study import load_study
from medcare_metrics.text.common import COLUMN_LABELS, export_stem, no_patient_matches, provenance_line
from medcare_metrics.views.enrollment import EnrollmentControls, centre_plan, enrollment_view
from medcare_metrics.views.lesions import LesionsControls, lesions_view
from medcare_metrics.views.patients import SwimmerControls, WaterfallControls, swimmer_view, waterfall_view
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.survival import SurvivalControls, survival_view
from medcare_metrics.views.toxicity import ToxicityControls, toxicity_view

PLANTED = '=HYPERLINK("x")'
PAGE = "pages/toxicity.py"


# --- Downloads of the Toxicity page: both buttons, read back inert ------------------------------------------


@pytest.fixture
def kept_downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, bytes]]:
    """Keep every file AppTest serves for a download: ``{url: (file name, bytes)}``.

    AppTest drops its media store after each run, so the bytes are copied as the app hands them over.
    """
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    kept: dict[str, tuple[str, bytes]] = {}

    class Keeping(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
            file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
            if isinstance(path_or_data, bytes):
                kept[self.get_url(file_id)] = (str(filename), path_or_data)
            return file_id

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Keeping)

    # A deferred download (the Excel files) is built when clicked: keep its callable's result under its id.
    from streamlit.runtime.media_file_manager import MediaFileManager

    add_deferred = MediaFileManager.add_deferred

    def keeping_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # type: ignore[no-untyped-def]
        file_id = add_deferred(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)
        kept[file_id] = (str(file_name), data_callable())
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keeping_deferred)
    return kept


def _planted_source(folder: Path) -> Path:
    shutil.copytree(example_path(), folder)
    adae = pd.read_csv(folder / "adae.csv", dtype=str, keep_default_na=False)
    adae.loc[0, "AEDECOD"] = PLANTED
    if "AETERM" in adae.columns:
        adae.loc[0, "AETERM"] = PLANTED
    adae.to_csv(folder / "adae.csv", index=False)
    return folder


def test_toxicity_downloads_and_figures_carry_their_context(
    app, tmp_path: Path, kept_downloads: dict[str, tuple[str, bytes]]
) -> None:
    at = app(PAGE, data=_planted_source(tmp_path / "planted"))
    at.run()
    assert not at.exception
    buttons = {b.key: b for b in at.get("download_button")}
    csv_button, xlsx_button = (
        buttons["download_toxicity_by_term_csv"],
        buttons["download_toxicity_by_term_xlsx"],
    )
    assert csv_button.proto.url == xlsx_button.proto.url == ""  # built on click, not on every run
    csv_name, csv_bytes = kept_downloads[csv_button.proto.deferred_file_id]
    xlsx_name, xlsx_bytes = kept_downloads[xlsx_button.proto.deferred_file_id]

    # The CSV is a bare table; its name says which data cut it holds.
    assert csv_name == "toxicity_by_term_MEDCARE_cutoff2025-06-30_asof2025-06-30.csv"
    assert xlsx_name == "toxicity_by_term_MEDCARE_cutoff2025-06-30_asof2025-06-30.xlsx"
    assert b"AEDECOD" in csv_bytes.splitlines()[0]  # the first line is the header: no comment lines
    table = pd.read_csv(io.BytesIO(csv_bytes), dtype=str)
    assert "'" + PLANTED in table["AEDECOD"].tolist()
    assert not table.map(lambda v: isinstance(v, str) and v.startswith("=")).any().any()

    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    sheet = book[book.sheetnames[0]]
    header = [c.value for c in sheet[1]]
    column = header.index("AEDECOD") + 1  # downloads keep the ADaM names
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    planted = [c for c in cells if c.value == "'" + PLANTED]
    assert planted and all(c.data_type == "s" for c in planted)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    about = {row[0].value: row[1].value for row in book[ABOUT_SHEET].iter_rows(min_row=2)}
    assert about["Study"] == "MEDCARE"
    assert about["Data cut-off"] == "2025-06-30" and about["As of"] == "2025-06-30"
    assert about["Filters"] == "No filters" and about["Patients"] == "18 of 18 patients"
    assert about["Fingerprint"] and about["Generated at"]
    assert "ADaM names" in csv_button.proto.help and "About" in xlsx_button.proto.help

    # Every figure carries the footer in its JSON, so a PNG or SVG saved from it does too.
    charts = at.get("plotly_chart")
    assert charts
    footer = "MEDCARE · Data cut-off 2025-06-30 · As of 2025-06-30 · No filters · n = 18 of 18 patients"
    for chart in charts:
        assert footer in chart.proto.spec


def test_every_table_download_offers_excel_beside_the_csv(app) -> None:
    at = app("pages/enrollment.py")
    at.run()
    assert not at.exception
    keys = [b.key for b in at.get("download_button")]
    csv = [k for k in keys if k.endswith("_csv")]
    assert csv and sorted(k[: -len("_csv")] + "_xlsx" for k in csv) == sorted(
        k for k in keys if k.endswith("_xlsx")
    )


def test_file_stem_and_footer_wording() -> None:
    assert export_stem("km_table_NESTFS", "MEDCARE", date(2025, 6, 30), date(2024, 1, 31)) == (
        "km_table_NESTFS_MEDCARE_cutoff2025-06-30_asof2024-01-31"
    )
    assert export_stem("x/y", "", None, None) == "x_y"
    line = provenance_line(
        cutoff=date(2025, 6, 30), as_of=None, filter_text="Centre: UZ Leuven", n_selected=7, n_total=18
    )
    assert line == "Data cut-off 2025-06-30 · As of unknown · Centre: UZ Leuven · n = 7 of 18 patients"


def test_footer_and_wrapped_title_in_the_figure() -> None:
    title = "Worst grade per patient by system organ class " * 4
    fig = apply_layout(go.Figure(go.Bar(x=[1], y=[1])), title=title.strip(), height=400)
    with_provenance(fig, "Data cut-off 2025-06-30 · Filters: Centre: <b>UZ</b> Leuven")
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) > 1 and all(len(line) <= TITLE_WIDTH for line in lines)
    assert " ".join(lines) == title.strip()  # wrapped, not cut
    footer = [a for a in fig.layout.annotations if a.name == "provenance"]
    assert len(footer) == 1 and footer[0].yanchor == "top" and footer[0].y == 0
    assert "&lt;b&gt;UZ&lt;/b&gt;" in footer[0].text  # data are text, not markup
    # The plot area keeps its height: the figure grows by the title's extra line(s) and the footer.
    assert fig.layout.height > 400 and fig.layout.margin.b > 50 and fig.layout.margin.t > 50


# --- Empty selection: one sentence --------------------------------------------------------------------------


def _tiny(tmp_path: Path) -> TrialData:
    loaded = load_trial(write_source(tmp_path / "tiny", **tiny_frames()))
    assert loaded.trial is not None
    return loaded.trial


def _filtered(trial: TrialData, filters: Filters) -> ViewScope:
    selected = apply_filters(trial, filters)
    return ViewScope(selected, trial, trial, selected, pd.DataFrame(), filters=filters)


def test_every_view_says_no_patient_matches_the_filters(tmp_path: Path) -> None:
    trial = _tiny(tmp_path)
    # SBRT patients (T-01, T-03) are on ADT alone: nobody matches both.
    scope = _filtered(trial, Filters.from_mapping({"MDTTYPE": ["SBRT"], "SYSTHER": ["ADT + abiraterone"]}))
    words = "MDT type: SBRT; Ongoing systemic therapy: ADT + abiraterone"
    sentence = no_patient_matches(words)
    assert sentence == f"No patient matches the filters ({words})."
    assert scope.no_patient_text == sentence

    toxicity = toxicity_view(scope, ToxicityControls())
    assert toxicity.no_patient == sentence and toxicity.severity_note == "" and toxicity.overall is None
    assert survival_view(scope, SurvivalControls(endpoint="NESTFS")).unavailable == sentence
    assert swimmer_view(scope, SwimmerControls()).no_patient == sentence
    enrollment = enrollment_view(scope, EnrollmentControls())
    assert enrollment.no_patient == sentence and enrollment.empty_text == ""


def test_lesions_and_waterfall_say_it_too() -> None:
    loaded = load_trial(str(example_path()))
    assert loaded.trial is not None
    trial = loaded.trial
    scope = _filtered(trial, Filters.from_mapping({"SITEID": ["04"], "MDTTYPE": ["SBRT + surgery"]}))
    expected = no_patient_matches("Centre: GZA Antwerpen; MDT type: SBRT + surgery")
    assert scope.no_patient_text == expected
    assert lesions_view(scope, LesionsControls()).no_patient == expected
    assert waterfall_view(scope, WaterfallControls()).unavailable == expected


def test_no_filter_or_a_match_says_nothing(tmp_path: Path) -> None:
    trial = _tiny(tmp_path)
    assert ViewScope.of(trial).no_patient_text == ""
    assert _filtered(trial, Filters.from_mapping({"SITEID": ["01"]})).no_patient_text == ""
    assert toxicity_view(ViewScope.of(trial), ToxicityControls()).no_patient == ""


def test_the_page_says_it_once_and_draws_nothing_else(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source, query={"MDTTYPE": "SBRT", "SYSTHER": "ADT + abiraterone"})
    at.run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("No patient matches the filters (MDT type: SBRT") for w in warnings)
    assert not at.get("plotly_chart") and not at.info and not at.dataframe
    assert "CTCAE" not in " ".join(str(c.value) for c in at.caption)


# --- One centre against its own share of the plan -----------------------------------------------------------


def test_one_centre_is_compared_with_its_share_of_the_enrolled(tmp_path: Path) -> None:
    trial = _tiny(tmp_path)
    # Centre 01 enrolled T-01 and T-02: 2 of the 4 enrolled, so half of the target of 18.
    scope = _filtered(trial, Filters.from_mapping({"SITEID": ["01"]}))
    view = enrollment_view(scope, EnrollmentControls())
    plan = view.centre_plan
    assert plan is not None and (plan.site, plan.target, plan.from_study) == ("01", 9, False)
    assert (plan.enrolled, plan.total) == (2, 4)
    assert view.cumulative is not None
    cumulative = view.cumulative.cumulative
    assert cumulative.target == 9 and cumulative.plan["N"].tolist() == [0.0, 9.0]
    assert view.cumulative.plan_label == "Centre's share of the plan"
    assert view.cumulative.completed_on is None
    assert "share of the patients enrolled so far (2 of 4)" in view.cumulative_caption
    assert "UZ Leuven (01)" in view.cumulative_caption
    # The whole trial keeps its target and line.
    whole = enrollment_view(ViewScope.of(trial), EnrollmentControls())
    assert whole.centre_plan is None and whole.cumulative is not None
    assert whole.cumulative.cumulative.target == 18


def test_one_centre_with_a_target_in_the_study_file(tmp_path: Path) -> None:
    trial = _tiny(tmp_path)
    study = replace(trial.study, centre_targets=(("UZ Gent", 5),))
    trial = replace(trial, study=study)
    scope = _filtered(trial, Filters.from_mapping({"SITEID": ["02"]}))
    plan = centre_plan(scope)
    assert plan is not None and (plan.target, plan.from_study) == (5, True)
    view = enrollment_view(scope, EnrollmentControls())
    assert view.cumulative is not None and view.cumulative.cumulative.plan["N"].iloc[-1] == 5.0
    assert "its target of 5 of the trial's 18 patients (study file" in view.cumulative_caption
    # Two centres, or a centre and another filter: not one centre's plan.
    assert centre_plan(_filtered(trial, Filters.from_mapping({"SITEID": ["01", "02"]}))) is None
    assert centre_plan(_filtered(trial, Filters.from_mapping({"SITEID": ["02"], "NLES": ["1"]}))) is None


def test_study_file_reads_centre_targets(tmp_path: Path) -> None:
    path = tmp_path / "study.toml"
    path.write_text('study_id = "X"\ntarget_enrollment = 10\n[centre_targets]\n"01" = 6\n"02" = 4\n')
    assert load_study(path).centre_targets == (("01", 6), ("02", 4))
    path.write_text('study_id = "X"\n[centre_targets]\n"01" = 0\n')
    with pytest.raises(Exception, match="centre_targets"):
        load_study(path)


# --- Labels for people --------------------------------------------------------------------------------------


def test_tables_show_labels_and_keep_given_ones() -> None:
    from medcare_app.ui import column_labels

    config = column_labels(["USUBJID", "SITEID", "AVAL", "OTHER"], {"SITEID": "Site", "AVAL": None})
    assert config == {"USUBJID": "Patient", "SITEID": "Site", "AVAL": None}
    assert COLUMN_LABELS["USUBJID"] == "Patient" and COLUMN_LABELS["SITEID"] == "Centre"
