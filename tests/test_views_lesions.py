"""The Lesions view on a tiny source whose numbers are worked out by hand, without Streamlit."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_frames, write_source

from medcare_metrics.loading import load_trial
from medcare_metrics.model import TrialData
from medcare_metrics.protocol import TrialSettings
from medcare_metrics.text import lesions as text
from medcare_metrics.views.lesions import LesionsControls, lesions_choices, lesions_view
from medcare_metrics.views.scope import ViewScope

#: USUBJID, TULNKID, TULOC, TULOCCAT, TUMETHOD, MDTLES, RTDOSE, RTFX. Enrolled T-01 (1 lesion), T-02 (2, one
#: PSMA-only), T-03 (1), T-04 (4 on conventional imaging: polyprogression); T-05 is a screen failure.
LESIONS = [
    ("T-01", "L1", "Rib", "Bone", "Conventional", "SBRT", 30.0, 3),
    ("T-02", "L1", "Pelvic lymph node", "Lymph node", "Conventional", "Salvage lymphadenectomy", None, None),
    ("T-02", "L2", "Para-aortic lymph node", "Lymph node", "PSMA PET-CT only", "SBRT", 24.0, 3),
    ("T-03", "L1", "Prostate bed", "Local recurrence", "Conventional", "Conventional RT", 70.0, 35),
    ("T-04", "L1", "Rib", "Bone", "Conventional", "SBRT", 30.0, 3),
    ("T-04", "L2", "Spine", "Bone", "Conventional", "SBRT", 35.0, 5),
    ("T-04", "L3", "Liver", "Visceral", "Conventional", "Metastasectomy", None, None),
    ("T-04", "L4", "Pelvic lymph node", "Lymph node", "Conventional", "SBRT", 30.0, 3),
    ("T-05", "L1", "Rib", "Bone", "Conventional", "None", None, None),
]


def _frames() -> dict[str, pd.DataFrame]:
    frames = tiny_frames()
    frames["adsl"]["PSMAFL"] = ["Y", "Y", "N", "Y", "N", "N"]  # PSMA PET-CT done: T-01, T-02, T-04
    frames["adsl"]["PSMACHFL"] = ["N", "Y", "N", "N", "N", "N"]  # plan changed: T-02
    adtu = pd.DataFrame(
        LESIONS, columns=["USUBJID", "TULNKID", "TULOC", "TULOCCAT", "TUMETHOD", "MDTLES", "RTDOSE", "RTFX"]
    )
    adtu["RTFX"] = adtu["RTFX"].astype("Int64")
    frames["adtu"] = adtu
    return frames


def _trial(tmp_path: Path, **frames: pd.DataFrame) -> TrialData:
    loaded = load_trial(write_source(tmp_path / "src", **frames))
    assert loaded.trial is not None
    return loaded.trial


@pytest.fixture
def trial(tmp_path: Path) -> TrialData:
    return _trial(tmp_path, **_frames())


def test_choices(trial: TrialData) -> None:
    choices = lesions_choices(ViewScope.of(trial))
    assert choices.shows_tabs and choices.has_dose
    assert choices.alpha_beta_gy == 1.5
    assert choices.alpha_beta_help == "Protocol default 1.5 Gy (prostate cancer)."


def test_counts_warning_and_detection(trial: TrialData) -> None:
    view = lesions_view(ViewScope.of(trial), LesionsControls())
    assert view.shows_tabs and not view.missing_adtu and view.no_patient == ""
    assert view.counts is not None and view.detection is not None
    per = view.counts.per_patient
    assert dict(zip(per["USUBJID"], per["N_LESIONS"], strict=True)) == {
        "T-01": 1,
        "T-02": 2,
        "T-03": 1,
        "T-04": 4,
    }
    assert per.loc[per["POLYPROGRESSION"], "USUBJID"].tolist() == ["T-04"]
    assert view.counts.warning.startswith("1 patient(s) with more than 3 lesions on conventional imaging")
    assert view.counts.warning.endswith(": T-04.")
    # All lesions: T-01 and T-03 have 1, T-02 2, T-04 ">3"; no shaded-bar label on this basis.
    figure = view.counts.figure
    assert figure.limit_label is None and figure.max_lesions == 3
    by_count = figure.distribution.groupby("N_LESIONS_CAT", observed=True)["N_PATIENTS"].sum()
    assert by_count.to_dict() == {"1": 2, "2": 1, ">3": 1}
    # 1 PSMA-only lesion of 8; PSMA PET-CT done for 3 of 4; the plan changed for 1 of those 3.
    shares = {m.label: (m.value, m.percent) for m in view.detection.metrics}
    assert shares == {
        "Lesions added by PSMA PET-CT": ("1 of 8", "12.5%"),
        "Patients with PSMA-only lesions": ("1 of 4", "25.0%"),
        "PSMA PET-CT done": ("3 of 4", "75.0%"),
        "MDT plan changed": ("1 of 3", "33.3%"),
    }
    assert "Patients: enrolled patients in the selection." in view.detection.caption


def test_dose_takes_alpha_beta_from_the_settings_unless_chosen(trial: TrialData) -> None:
    default = lesions_view(ViewScope.of(trial), LesionsControls())
    assert default.mdt is not None
    dose = default.mdt.dose
    # SBRT 30 Gy / 3 at alpha/beta 1.5: BED 230, EQD2 98.57; the schedules by EQD2, highest first.
    assert dose.alpha_beta_gy == 1.5 and "α/β = 1.5 Gy" in dose.caption
    assert dose.schedules["EQD2"].round(2).tolist() == [98.57, 85.0, 65.14, 70.0]
    # alpha/beta 3 in the trial settings: 30 Gy / 3 gives BED 130, EQD2 78.
    scope = ViewScope.of(trial, TrialSettings(alpha_beta_gy=3.0))
    assert lesions_choices(scope).alpha_beta_gy == 3.0
    from_settings = lesions_view(scope, LesionsControls())
    assert from_settings.mdt is not None
    assert from_settings.mdt.dose.schedules["EQD2"].iloc[0] == pytest.approx(78.0)
    chosen = lesions_view(scope, LesionsControls(alpha_beta_gy=1.5))
    assert chosen.mdt is not None
    assert chosen.mdt.dose.schedules["EQD2"].iloc[0] == pytest.approx(98.5714, abs=1e-4)


def test_controls_choose_basis_stack_and_map_order(trial: TrialData) -> None:
    controls = LesionsControls(
        basis="conventional", site_level="site", site_stack="patient", map_order="patient"
    )
    view = lesions_view(ViewScope.of(trial), controls)
    assert view.counts is not None and view.sites is not None and view.map is not None
    assert view.counts.figure.limit_label == "polyprogression"
    # On conventional imaging T-02 has 1 lesion (its other is PSMA-only).
    conventional = view.counts.figure.distribution.groupby("N_LESIONS_CAT", observed=True)["N_PATIENTS"].sum()
    assert conventional.to_dict() == {"1": 3, ">3": 1}
    rib = view.sites.by_site.loc[view.sites.by_site["TULOC"].eq("Rib")]
    assert rib["N_LESIONS"].sum() == 2 and set(rib["MDTTYPE"]) == {"SBRT", "SBRT + surgery"}
    assert view.sites.caption.endswith("the patient's MDT type (ADSL.MDTTYPE).")
    assert list(view.map.map.matrix.index) == ["T-01", "T-02", "T-03", "T-04"]
    assert view.map.map_caption == "Lesions per patient and site category; empty cells have none."


def test_no_enrolled_patient_says_so(tmp_path: Path) -> None:
    frames = _frames()
    frames["adsl"]["ENRLFL"] = "N"
    scope = ViewScope.of(_trial(tmp_path, **frames))
    assert not lesions_choices(scope).shows_tabs
    view = lesions_view(scope, LesionsControls())
    assert not view.shows_tabs and not view.missing_adtu
    assert view.no_patient == text.NO_PATIENT == "No enrolled patient in the selection, so no lesion to show."


def test_without_adtu_counts_from_adsl_nles(tmp_path: Path) -> None:
    scope = ViewScope.of(_trial(tmp_path, adsl=tiny_frames()["adsl"]))
    assert not lesions_choices(scope).shows_tabs
    view = lesions_view(scope, LesionsControls())
    assert view.missing_adtu and view.adsl_counts is not None and view.adsl_counts.figure is not None
    # Enrolled T-01..T-04 have NLES 1, 2, 1, 3; the screen failures are left out.
    counts = view.adsl_counts.figure.distribution
    assert counts.groupby("N_LESIONS_CAT", observed=True)["N_PATIENTS"].sum().to_dict() == {
        "1": 2,
        "2": 1,
        "3": 1,
    }
    assert view.adsl_counts.heading == "Lesions per patient on conventional imaging (ADSL.NLES)"
    assert "eligibility allows at most 3" in view.adsl_counts.caption


def test_without_adtu_or_nles_names_the_absent_columns(tmp_path: Path) -> None:
    adsl = tiny_frames()["adsl"].drop(columns=["NLES", "MDTTYPE"])
    view = lesions_view(ViewScope.of(_trial(tmp_path, adsl=adsl)), LesionsControls())
    assert view.adsl_counts is not None and view.adsl_counts.figure is None
    assert "(NLES, PSMAFL, PSMACHFL, MDTTYPE)" in view.adsl_counts.caption
    assert "nothing about lesions can be shown" in view.adsl_counts.caption


def test_adtu_without_optional_columns(tmp_path: Path) -> None:
    frames = _frames()
    frames["adtu"] = frames["adtu"][["USUBJID", "TULNKID", "TULOC", "TULOCCAT"]]
    scope = ViewScope.of(_trial(tmp_path, **frames))
    choices = lesions_choices(scope)
    assert choices.shows_tabs and not choices.has_dose
    view = lesions_view(scope, LesionsControls())
    assert view.detection is not None and view.mdt is not None
    assert "TUMETHOD" in view.detection.unavailable and view.detection.summary is None
    assert "MDTLES" in view.mdt.unavailable
    assert "RTDOSE" in view.mdt.dose.unavailable and view.mdt.dose.schedules.empty


def test_adtu_lacking_a_required_column_is_unavailable(trial: TrialData) -> None:
    assert trial.adtu is not None
    broken = dataclasses.replace(trial, adtu=trial.adtu.drop(columns="TULOC"))
    scope = ViewScope.of(broken)
    assert not lesions_choices(scope).shows_tabs
    view = lesions_view(scope, LesionsControls())
    assert view.unavailable == "ADTU lacks column(s) TULOC" and not view.shows_tabs
