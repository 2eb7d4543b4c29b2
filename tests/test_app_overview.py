"""AppTest of pages/overview.py: metrics by hand on the tiny source, filters, query parameters, as-of, errors.

Expected numbers are worked out by hand from tests/conftest.py::tiny_frames (see its docstring).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from conftest import CONFORMANCE, header, metrics, tiny_frames, write_source

from medcare_app.sidebar import AS_OF_KEY, CLEAR_KEY, filter_key
from medcare_metrics.cuts import CHANGE_LABELS

PAGE = "pages/overview.py"


def test_overview_numbers(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert header(at).startswith("**4 of 4 patients** · No filters · Data as of 2024-01-31")
    shown = metrics(at)
    assert shown["Enrolled"] == "4 of 18"
    assert shown["Screened"] == "6"
    assert shown["On study"] == "2 of 4"  # T-01, T-04 ONGOING, of 4 enrolled
    assert shown["Latest enrollment"] == "2023-02-15"
    assert shown["NEST-FS events"] == "2 of 4"
    assert shown["PFS events"] == "3 of 4"
    # KM: S = 3/4 after day 100, 3/8 after day 300 -> median 300 days = 300 / 30.4375 = 9.86 months.
    assert shown["Median NEST-FS"] == "9.9 months"
    assert shown["Grade ≥ 3 toxicity"] == "2 of 4"
    captions = " ".join(c.value for c in at.caption)
    assert "ENRLFL = Y" in captions and "CNSR = 0" in captions and "grade 3 or higher" in captions
    assert len(at.get("plotly_chart")) == 2  # the primary endpoint's curve and enrollment against target
    # The numbers as a table, as CSV and Excel (aggregates: offered to every role).
    keys = [b.key for b in at.get("download_button")]
    assert keys == ["download_overview_numbers_csv", "download_overview_numbers_xlsx"]


def test_sidebar_shows_the_data_cut(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    side = " ".join(m.value for m in at.sidebar.markdown)
    assert "tiny" in side
    assert "2024-01-31" in side
    assert "Fingerprint:" in side


def test_centre_filter_changes_the_numbers(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
    assert not at.exception
    assert header(at).startswith("**2 of 4 patients** · Filters: Centre: UZ Leuven")
    shown = metrics(at)
    assert shown["Enrolled"] == "2 of 18"
    assert shown["Screened"] == "3"  # T-01, T-02, T-06
    assert shown["On study"] == "1 of 2"
    assert shown["NEST-FS events"] == "2 of 2"
    assert shown["Grade ≥ 3 toxicity"] == "1 of 2"
    assert shown["Latest enrollment"] == "2022-03-05"
    # Events at days 100 and 300 of 2: S = 0.5 from day 100 to 300 -> R's median is the midpoint, 200 days.
    assert shown["Median NEST-FS"] == "6.6 months"
    # The filter is written to the URL so a copied link opens the same view.
    assert at.query_params["SITEID"] == "01"


def test_filters_combine_and_can_be_cleared(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.sidebar.multiselect(key=filter_key("MDTTYPE")).set_value(["SBRT"]).run()
    assert header(at).startswith("**2 of 4 patients** · Filters: MDT type: SBRT")
    at.sidebar.multiselect(key=filter_key("NLES")).set_value(["1"]).run()
    assert header(at).startswith("**2 of 4 patients**")  # T-01, T-03 both have 1 lesion
    at.sidebar.multiselect(key=filter_key("SYSTHER")).set_value(["ADT + abiraterone"]).run()
    assert header(at).startswith("**0 of 4 patients**")
    assert at.warning  # nobody matches: the page says so
    at.sidebar.button(key=CLEAR_KEY).click().run()
    assert header(at).startswith("**4 of 4 patients** · No filters")


def test_added_filter_on_another_column(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    added = at.sidebar.multiselect(key="medcare_filter_columns")
    assert "EOSSTT" in added.options[0] or any("EOSSTT" in o for o in added.options)
    added.set_value(["EOSSTT"]).run()
    at.sidebar.multiselect(key=filter_key("EOSSTT")).set_value(["ONGOING"]).run()
    assert not at.exception
    assert header(at).startswith("**2 of 4 patients** · Filters: Study status: ONGOING")
    assert at.query_params["EOSSTT"] == "ONGOING"


def test_query_params_restore_the_view(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source, query={"SITEID": "02", "MDTTYPE": ["SBRT", "SBRT + surgery"]})
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key=filter_key("SITEID")).value == ["02"]
    assert header(at).startswith(
        "**2 of 4 patients** · Filters: Centre: UZ Gent; MDT type: SBRT or SBRT + surgery"
    )
    assert metrics(at)["Latest enrollment"] == "2023-02-15"


def test_query_param_for_an_added_filter(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source, query={"EOSSTT": "COMPLETED"})
    at.run()
    assert at.sidebar.multiselect(key="medcare_filter_columns").value == ["EOSSTT"]
    assert header(at).startswith("**1 of 4 patients**")


def test_unknown_query_values_are_ignored(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source, query={"SITEID": "99", "NOTACOLUMN": "x"})
    at.run()
    assert not at.exception
    assert header(at).startswith("**4 of 4 patients** · No filters")


def test_as_of_replays_the_trial(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.sidebar.date_input(key=AS_OF_KEY).set_value(dt.date(2022, 12, 31)).run()
    assert not at.exception
    # T-04 (screened 2023-02-01, enrolled 2023-02-15) and T-06 (screened 2023-05-01) did not exist yet.
    assert header(at).startswith("**3 of 3 patients** · No filters · Replayed as of 2022-12-31")
    shown = metrics(at)
    assert shown["Screened"] == "4"
    assert shown["Latest enrollment"] == "2022-06-01"
    assert shown["Grade ≥ 3 toxicity"] == "1 of 3"  # T-04's grade 3 of 2023-03-20 is hidden
    assert at.query_params["asof"] == "2022-12-31"


def test_as_of_from_the_url(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source, query={"asof": "2022-04-01", "SITEID": "01"})
    at.run()
    assert header(at).startswith(
        "**2 of 2 patients** · Filters: Centre: UZ Leuven · Replayed as of 2022-04-01"
    )


def test_source_without_optional_datasets(app, tmp_path: Path) -> None:
    source = write_source(tmp_path / "adsl_only", adsl=tiny_frames()["adsl"])
    at = app(PAGE, data=source)
    at.run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Enrolled"] == "4 of 18"
    assert shown["NEST-FS events"] == "n/a"
    assert shown["Grade ≥ 3 toxicity"] == "n/a"
    captions = " ".join(c.value for c in at.caption)
    assert "No ADTTE dataset" in captions and "No ADAE dataset" in captions


def test_broken_adsl_shows_an_error_not_an_exception(app, tmp_path: Path) -> None:
    adsl = tiny_frames()["adsl"].drop(columns=["USUBJID"])
    source = write_source(tmp_path / "broken", adsl=adsl)
    at = app(PAGE, data=source)
    at.run()
    assert not at.exception
    assert "could not be loaded" in at.error[0].value
    assert "USUBJID" in at.dataframe[0].value.to_string()
    assert not at.metric


def test_missing_source_shows_an_error(app, tmp_path: Path) -> None:
    at = app(PAGE, data=tmp_path / "nowhere")
    at.run()
    assert not at.exception
    assert "Data source not found" in at.error[0].value
    assert "MEDCARE_DATA" in at.error[0].value


def test_garbage_file_shows_an_error(app, tmp_path: Path) -> None:
    (tmp_path / "adsl.csv").write_bytes(b"\x00\x01\x02 not a csv \xff\xfe")
    at = app(PAGE, data=tmp_path)
    at.run()
    assert not at.exception
    assert at.error


def test_conformance_data_runs(app) -> None:
    at = app(PAGE, data=CONFORMANCE / "cdiscpilot01")
    at.run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Screened"] == str(len(pd.read_csv(CONFORMANCE / "cdiscpilot01" / "adsl.csv")))
    assert shown["NEST-FS events"] == "n/a"
    captions = " ".join(c.value for c in at.caption)
    assert "ADTTE has no NESTFS" in captions
    # The pilot has no ENRLFL (derived from ITTFL) and no ENRLDT or RANDDT: the captions say so.
    assert "ENRLFL was derived while loading" in captions
    assert "Taken from TRTSDT: no ENRLDT in the data." in captions


def test_filter_change_does_not_reread_files(app, tiny_source: Path, monkeypatch) -> None:
    from medcare_metrics import loading

    calls = {"load_trial": 0, "fingerprint": 0}
    real_load, real_fingerprint = loading.load_trial, loading.fingerprint

    def counted_load(source: object) -> object:
        calls["load_trial"] += 1
        return real_load(source)

    def counted_fingerprint(source: object) -> str:
        calls["fingerprint"] += 1
        return real_fingerprint(source)

    monkeypatch.setattr(loading, "load_trial", counted_load)
    monkeypatch.setattr(loading, "fingerprint", counted_fingerprint)
    at = app(PAGE, data=tiny_source)
    at.run()
    assert calls["load_trial"] == 1
    after_first_run = dict(calls)
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["02"]).run()
    assert header(at).startswith("**2 of 4 patients**")
    at.sidebar.date_input(key=AS_OF_KEY).set_value(dt.date(2023, 6, 1)).run()
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value([]).run()
    assert header(at).startswith("**4 of 4 patients**")
    assert calls == after_first_run


def test_changed_files_are_read_again(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    assert metrics(at)["Screened"] == "6"
    frames = tiny_frames()
    write_source(tiny_source, adsl=frames["adsl"].iloc[:5])
    at.run()
    assert metrics(at)["Screened"] == "5"


def test_changes_since_counts(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source, query={"since": "2022-12-31"})
    at.run()
    assert not at.exception
    changes = {m.label: m.value for m in at.metric[9:]}
    # (2022-12-31, 2024-01-31]: T-04 enrolled 2023-02-15, T-04's grade 3 proctitis 2023-03-20; every NEST-FS
    # and PFS event happened in 2022.
    assert changes[CHANGE_LABELS["enrolled"]] == "1"
    assert changes[CHANGE_LABELS["NESTFS"]] == "0"
    assert changes[CHANGE_LABELS["PFS"]] == "0"
    assert changes[CHANGE_LABELS["severe_aes"]] == "1"
    at.date_input(key="since").set_value(dt.date(2022, 5, 31)).run()
    changes = {m.label: m.value for m in at.metric[9:]}
    # Now also T-03 enrolled 2022-06-01; NEST-FS T-01 (2022-11-06), T-02 (2022-06-13); PFS T-01 (2022-06-09),
    # T-03 (2022-12-18); grade 3 of T-02 on 2022-04-01 is before the window.
    assert changes[CHANGE_LABELS["enrolled"]] == "2"
    assert changes[CHANGE_LABELS["NESTFS"]] == "2"
    assert changes[CHANGE_LABELS["PFS"]] == "2"
    assert changes[CHANGE_LABELS["severe_aes"]] == "1"


def test_median_on_few_patients_at_risk_says_unreliable(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    captions = " ".join(c.value for c in at.caption)
    # NEST-FS days: 100 (event), 200, 250 (censored), 300 (event): the median, 300 days, has only T-01 at
    # risk (1 < the default threshold 3); the lower limit (day 100) has all 4, the upper is not reached.
    assert "Unreliable: the estimate rests on 1 patient at risk at the median (fewer than 3)." in captions


def test_screened_under_a_filter_screen_failures_lack(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    assert "Screened is not comparable" not in " ".join(c.value for c in at.caption)
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
    assert "Screened is not comparable" not in " ".join(c.value for c in at.caption)  # failures have a centre
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value([]).run()
    at.sidebar.multiselect(key=filter_key("MDTTYPE")).set_value(["SBRT"]).run()
    assert not at.exception
    assert metrics(at)["Screened"] == "2"  # T-01, T-03: the selection itself
    captions = " ".join(c.value for c in at.caption)
    # T-05 and T-06 (screen failures) have no MDTTYPE; 6 subjects in ADSL.
    assert "2 screen failures have no MDT type (MDTTYPE) and so are not in the selection" in captions
    assert "Without filters, 6 subjects were screened." in captions


def test_other_study_measure_text_has_no_protocol_definition(app) -> None:
    at = app(PAGE, data=CONFORMANCE / "pharmaverseadam")
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "PCWG3" not in captions
    assert "PFS event (CNSR = 0), as this study's ADTTE defines it" in captions


def test_warning_banner_names_adsl_warnings(app, tmp_path: Path) -> None:
    frames = tiny_frames()
    frames["adsl"]["AGE"] = frames["adsl"]["AGE"].astype(object)
    frames["adtte"]["AVAL"] = frames["adtte"]["AVAL"].astype(object)
    frames["adsl"].loc[1, "AGE"] = "old"  # T-02 (file row 3): AGE not a number
    frames["adtte"].loc[0, "AVAL"] = "abc"  # an ADTTE error as well
    source = write_source(tmp_path / "warn", **frames)
    at = app("dashboard.py", data=source)
    at.run()
    assert not at.exception
    banner = " ".join(w.value for w in at.warning)
    assert "**ADSL** (adsl.csv): 1 warning; those values are set missing, rows kept." in banner
    assert "**ADTTE** (adtte.csv): 1 error" in banner
