"""Overview measures on hand-built frames with hand-computed answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from medcare_metrics.model import TrialData
from medcare_metrics.overview import (
    MEASURE_KEYS,
    count_enrolled,
    enrollment_progress,
    trial_summary,
)
from medcare_metrics.protocol import TrialSettings
from medcare_metrics.subjects import enrolled_mask, first_entry_date
from medcare_metrics.text import overview as text
from medcare_metrics.text.overview import MEASURES


def _adsl() -> pd.DataFrame:
    # P1-P5 enrolled, P6 a screen failure.
    return pd.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3", "P4", "P5", "P6"],
            "SITEID": ["01"] * 6,
            "ENRLFL": ["Y", "Y", "Y", "Y", "Y", "N"],
            "SCRNDT": pd.to_datetime(
                ["2021-12-01", "2022-01-20", "2022-03-01", "2022-04-01", "2022-05-01", "2021-11-15"]
            ),
            "ENRLDT": pd.to_datetime(
                ["2022-01-01", "2022-02-01", "2022-03-15", "2022-04-10", "2022-05-20", None]
            ),
            "EOSSTT": ["ONGOING", "COMPLETED", "DISCONTINUED", "ONGOING", None, "DISCONTINUED"],
            "DTHFL": ["N", "N", "Y", "Y", "N", "N"],
            "DTHDT": pd.to_datetime([None, None, "2023-01-01", "2023-02-01", None, None]),
        }
    )


def _adtte() -> pd.DataFrame:
    # NEST-FS in months: 2 (event), 4 (censored), 6 (event), 8 (censored); P6 (not enrolled) has a stray row.
    return pd.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3", "P4", "P6", "P1", "P2"],
            "PARAMCD": ["NESTFS"] * 5 + ["PFS"] * 2,
            "AVAL": [2.0, 4.0, 6.0, 8.0, 1.0, 1.0, 3.0],
            "AVALU": ["MONTHS"] * 7,
            "CNSR": pd.array([0, 1, 0, 1, 0, 0, 1], dtype="Int64"),
        }
    )


def _adae() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P2", "P4", "P6"],
            "AEDECOD": ["Fatigue", "Cystitis noninfective", "Nausea", "Proctitis", "Fatigue"],
            "AEBODSYS": ["G", "R", "GI", "GI", "G"],
            "ATOXGR": pd.array([1, 3, 2, 4, 3], dtype="Int64"),
        }
    )


def _trial(**overrides: object) -> TrialData:
    parts = {"adsl": _adsl(), "adtte": _adtte(), "adae": _adae()}
    parts.update(overrides)
    return TrialData(**parts)  # type: ignore[arg-type]


def test_counts() -> None:
    summary = trial_summary(_trial(), TrialSettings(target_enrollment=18))
    assert summary.screened == 6
    assert summary.enrolled == 5
    assert summary.target == 18
    # P1 ongoing alive; P4 ongoing but dead; P5 status missing (not off study) and alive; P2, P3 off study.
    assert summary.on_study == 2
    assert summary.nestfs_events == 2  # P1, P3; P6's event does not count (not enrolled)
    assert summary.pfs_events == 1
    assert summary.grade3_patients == 2  # P1 (grade 3), P4 (grade 4); P6 not enrolled
    assert summary.latest_enrollment == pd.Timestamp("2022-05-20")
    assert summary.latest_enrollment_column == "ENRLDT"
    assert summary.unavailable == ()
    assert all(summary.reason(m) is None for m in MEASURE_KEYS)
    assert set(MEASURES) == set(MEASURE_KEYS)


def test_median_with_log_confidence_interval() -> None:
    median = trial_summary(_trial()).nestfs_median
    assert median is not None
    # S = 3/4 after month 2, 3/8 after month 6 -> median 6. Log CI at month 2: 0.75 * exp(-1.96 * sqrt(1/12))
    # = 0.426 < 0.5 -> lower limit 2; the upper band never falls to 0.5 -> not reached.
    assert median.median == pytest.approx(6.0)
    assert median.lower == pytest.approx(2.0)
    assert math.isnan(median.upper)
    assert (median.n, median.events, median.conf_level) == (4, 2, 0.95)
    assert median.reached


def test_median_converts_days_to_months() -> None:
    adtte = _adtte().assign(AVAL=lambda d: d["AVAL"] * 30.4375, AVALU="DAYS")
    median = trial_summary(_trial(adtte=adtte)).nestfs_median
    assert median is not None
    assert median.median == pytest.approx(6.0)


def test_median_not_reached() -> None:
    adtte = _adtte().assign(CNSR=pd.array([0, 1, 1, 1, 1, 0, 1], dtype="Int64"))  # S stays at 3/4
    median = trial_summary(_trial(adtte=adtte)).nestfs_median
    assert median is not None
    assert not median.reached
    assert math.isnan(median.median)


def test_missing_datasets_give_reasons() -> None:
    summary = trial_summary(TrialData(adsl=_adsl()))
    assert summary.enrolled == 5
    assert summary.nestfs_events is None and summary.pfs_events is None
    assert summary.nestfs_median is None and summary.grade3_patients is None
    assert "No ADTTE" in summary.reason("nestfs_events")
    assert "No ADTTE" in summary.reason("nestfs_median")
    assert "No ADAE" in summary.reason("grade3_patients")


def test_conformance_shapes() -> None:
    # Other studies: no ENRLFL, no EOSSTT, no NESTFS, no grade, RANDDT instead of ENRLDT.
    adsl = _adsl().drop(columns=["ENRLFL", "EOSSTT", "ENRLDT"]).assign(RANDDT=pd.to_datetime("2020-02-02"))
    adtte = _adtte().assign(PARAMCD="TTDE")
    adae = _adae().drop(columns=["ATOXGR"])
    summary = trial_summary(TrialData(adsl=adsl, adtte=adtte, adae=adae))
    assert summary.enrolled == 6  # no ENRLFL: every subject counts
    assert summary.on_study is None and "EOSSTT" in summary.reason("on_study")
    assert summary.nestfs_events is None and "NESTFS" in summary.reason("nestfs_events")
    assert summary.pfs_events is None and "PFS" in summary.reason("pfs_events")
    assert summary.grade3_patients is None and "ATOXGR" in summary.reason("grade3_patients")
    assert summary.latest_enrollment == pd.Timestamp("2020-02-02")
    assert summary.latest_enrollment_column == "RANDDT"


def test_no_registration_date() -> None:
    summary = trial_summary(TrialData(adsl=_adsl().drop(columns=["ENRLDT"])))
    assert summary.latest_enrollment is None
    assert "ENRLDT" in summary.reason("latest_enrollment")


def test_unknown_measure() -> None:
    with pytest.raises(KeyError, match="unknown measure"):
        trial_summary(_trial()).reason("nothing")


def test_enrolled_helpers() -> None:
    adsl = _adsl()
    assert list(enrolled_mask(adsl)) == [True] * 5 + [False]
    assert count_enrolled(adsl.assign(ENRLFL=[" y", "Y", "N", None, "Y", "N"])) == 3
    assert count_enrolled(adsl.drop(columns=["ENRLFL"])) == 6
    assert first_entry_date(adsl) == pd.Timestamp("2021-11-15")
    assert first_entry_date(adsl[["USUBJID"]]) is None


def test_enrollment_progress() -> None:
    summary = trial_summary(_trial(), TrialSettings(target_enrollment=18))
    progress = enrollment_progress(summary)
    assert progress.to_dict("list") == {
        "CATEGORY": ["On study", "Off study", "Still to enroll"],
        "PATIENTS": [2, 3, 13],
    }
    over = enrollment_progress(trial_summary(_trial(), TrialSettings(target_enrollment=4)))
    assert over["PATIENTS"].tolist() == [2, 3, 0]
    unknown = enrollment_progress(trial_summary(TrialData(adsl=_adsl().drop(columns=["EOSSTT"]))))
    assert unknown.to_dict("list") == {"CATEGORY": ["Enrolled", "Still to enroll"], "PATIENTS": [5, 13]}


def test_enrollment_progress_of_a_selection() -> None:
    # The selection holds 5 of 12 enrolled patients; the trial still needs 18 - 12 = 6.
    progress = enrollment_progress(trial_summary(_trial()), enrolled_overall=12)
    assert progress.to_dict("list") == {
        "CATEGORY": ["On study", "Off study", "Not in selection", "Still to enroll"],
        "PATIENTS": [2, 3, 7, 6],
    }
    with pytest.raises(ValueError, match="below"):
        enrollment_progress(trial_summary(_trial()), enrolled_overall=4)


def _progress(rows: list[tuple[str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["CATEGORY", "PATIENTS"])


def test_enrollment_progress_figure_small_trial() -> None:
    from medcare_metrics.figures.overview import PROGRESS_COLORS, enrollment_progress_figure

    progress = _progress([("On study", 2), ("Off study", 3), ("Still to enroll", 13)])
    fig = enrollment_progress_figure(progress, 18)
    assert [t.name for t in fig.data] == ["On study (2)", "Off study (3)", "Still to enroll (13)"]
    assert [t.x[0] for t in fig.data] == [2, 3, 13]
    assert [t.marker.color for t in fig.data] == [PROGRESS_COLORS[c] for c in ("On study", "Off study")] + [
        PROGRESS_COLORS["Still to enroll"]
    ]
    assert fig.layout.barmode == "stack"
    # The target line sits at 18 and the axis reaches just past it, ticking every 2 patients.
    assert [s.x0 for s in fig.layout.shapes] == [18]
    assert fig.layout.xaxis.range == (0, 18 * 1.05)
    assert fig.layout.xaxis.dtick == 2
    assert fig.layout.xaxis.title.text == "Patients"
    assert any(a.text == "Target 18" for a in fig.layout.annotations)


def test_enrollment_progress_figure_large_trial_gets_automatic_ticks() -> None:
    from medcare_metrics.figures.overview import enrollment_progress_figure

    # 254 enrolled against a target of 18 (the CDISC pilot): a tick every 2 would print 128 labels.
    fig = enrollment_progress_figure(_progress([("Enrolled", 254), ("Still to enroll", 0)]), 18)
    assert fig.layout.xaxis.dtick is None
    assert fig.layout.xaxis.range == (0, 254 * 1.05)
    # A zero-sized category keeps its legend entry but prints no number in the bar.
    assert fig.data[1].name == "Still to enroll (0)"
    assert fig.data[1].text is None


def _all_events_trial(n: int = 20) -> TrialData:
    # n enrolled patients, NEST-FS events at months 1, 2, ..., n.
    ids = [f"E{i:02d}" for i in range(1, n + 1)]
    adsl = pd.DataFrame({"STUDYID": "MEDCARE", "USUBJID": ids, "ENRLFL": "Y"})
    adtte = pd.DataFrame(
        {
            "USUBJID": ids,
            "PARAMCD": "NESTFS",
            "AVAL": [float(i) for i in range(1, n + 1)],
            "AVALU": "MONTHS",
            "CNSR": pd.array([0] * n, dtype="Int64"),
        }
    )
    return TrialData(adsl=adsl, adtte=adtte)


def test_median_counts_patients_at_risk_at_the_median_and_its_limits() -> None:
    median = trial_summary(_all_events_trial()).nestfs_median
    assert median is not None
    # S(k) = (20 - k) / 20 after month k: exactly 0.5 from month 10 to 11 -> median 10.5 (R's midpoint);
    # at risk at 10.5: the 10 patients with times 11..20.
    # Greenwood: se^2(log S) = sum 1/(n_i (n_i - 1)) = 1/(20 - k) - 1/20.
    # Lower = S exp(-1.96 se): k = 6: 0.7 * exp(-1.96 * 0.1464) = 0.525; k = 7: 0.65 * 0.7250 = 0.471 -> 7.
    # Upper = S exp(1.96 se): k = 15: 0.25 * exp(1.96 * 0.3873) = 0.534; k = 16: 0.2 * 2.4025 = 0.48 -> 16.
    assert (median.median, median.lower, median.upper) == pytest.approx((10.5, 7.0, 16.0))
    assert median.at_risk == 10
    # At month 7: times 7..20 = 14 at risk; at month 16: times 16..20 = 5 at risk (the fewest).
    assert median.fewest_at_risk == 5
    assert text.small_numbers_note(median, 5) is None
    note = text.small_numbers_note(median, 6)
    assert note is not None and "5 patients at risk at a confidence limit" in note and "Unreliable" in note


def test_median_at_risk_ignores_limits_not_reached() -> None:
    median = trial_summary(_trial()).nestfs_median
    assert median is not None
    # Months 2 (event), 4 (cens), 6 (event), 8 (cens): median 6 with P3, P4 (times 6, 8) at risk;
    # lower limit 2 with all 4 at risk; upper not reached, so it has no count.
    assert median.at_risk == 2
    assert median.fewest_at_risk == 2
    note = text.small_numbers_note(median, 3)
    assert note is not None and "2 patients at risk at the median" in note
    assert text.small_numbers_note(median, 2) is None


def test_median_not_reached_has_no_at_risk_count() -> None:
    adtte = _adtte().assign(CNSR=pd.array([0, 1, 1, 1, 1, 0, 1], dtype="Int64"))  # S stays at 3/4
    median = trial_summary(_trial(adtte=adtte)).nestfs_median
    assert median is not None
    # Lower band at month 2: 0.75 * exp(-1.96 * sqrt(1/12)) = 0.426 -> lower limit 2 with 4 at risk.
    assert median.at_risk is None
    assert median.fewest_at_risk == 4
    assert text.small_numbers_note(median, 3) is None


def _screening_adsl() -> pd.DataFrame:
    # S1-S3 enrolled with an MDT type; F1-F3 screen failures without one (F3 at centre 02).
    return pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "F1", "F2", "F3"],
            "SITEID": ["01", "01", "02", "01", "01", "02"],
            "ENRLFL": ["Y", "Y", "Y", "N", "N", "N"],
            "MDTTYPE": ["SBRT", "Surgery", "SBRT", None, None, None],
        }
    )


def test_screen_failures_outside_a_filter_on_a_column_they_lack() -> None:
    from medcare_metrics.filters import Filters
    from medcare_metrics.overview import screen_failures_outside

    adsl = _screening_adsl()
    outside = screen_failures_outside(adsl, Filters.from_mapping({"MDTTYPE": ["SBRT"]}))
    assert outside is not None
    assert (outside.n, outside.columns, outside.screened_overall) == (3, ("MDTTYPE",), 6)
    assert "3 screen failures have no MDT type (MDTTYPE)" in text.screen_failures_note(outside)
    assert "6 subjects were screened" in text.screen_failures_note(outside)
    # With the centre filter too, only F1 and F2 (centre 01) would otherwise be in the selection.
    both = screen_failures_outside(adsl, Filters.from_mapping({"MDTTYPE": ["SBRT"], "SITEID": ["01"]}))
    assert both is not None and (both.n, both.columns) == (2, ("MDTTYPE",))


def test_screen_failures_outside_only_when_a_value_is_missing() -> None:
    from medcare_metrics.filters import MISSING, Filters
    from medcare_metrics.overview import screen_failures_outside

    adsl = _screening_adsl()
    assert screen_failures_outside(adsl, Filters()) is None
    # Screen failures have a centre: a centre filter keeps them comparable.
    assert screen_failures_outside(adsl, Filters.from_mapping({"SITEID": ["01"]})) is None
    # Allowing the missing value keeps them in the selection.
    assert screen_failures_outside(adsl, Filters.from_mapping({"MDTTYPE": ["SBRT", MISSING]})) is None


def test_other_study_measure_text() -> None:
    medcare = trial_summary(_trial(adsl=_adsl().assign(STUDYID="MEDCARE")))
    assert medcare.protocol_study
    assert "PCWG3" in text.describe(medcare, "pfs_events")
    other = trial_summary(_trial(adsl=_adsl().assign(STUDYID="CDISCPILOT01")))
    assert not other.protocol_study
    assert "PCWG3" not in text.describe(other, "pfs_events")
    assert text.describe(other, "screened") == MEASURES["screened"]
    with pytest.raises(KeyError):
        text.describe(other, "nonsense")


def test_grade3_counts_as_the_toxicity_page() -> None:
    # P1's grade 3 is not treatment-emergent: like the Toxicity page, the overview leaves it out.
    adae = _adae().assign(TRTEMFL=["Y", "N", "Y", "Y", "Y"])
    summary = trial_summary(_trial(adae=adae))
    assert summary.grade3_patients == 1  # P4
    count = summary.high_grade
    assert count is not None and count.teae_only and count.n_population == 5
    assert count.population.name == "safety population"
    # Outside the safety population (SAFFL = "N") a patient is not counted either.
    adsl = _adsl().assign(SAFFL=["Y", "Y", "Y", "N", "Y", "N"])
    assert trial_summary(_trial(adsl=adsl, adae=adae)).grade3_patients == 0
    caption = text.high_grade_note(count)
    assert 'safety population (enrolled (ENRLFL = "Y"; ADSL has no SAFFL or TRTSDT))' in caption
    assert "treatment-emergent events" in caption
