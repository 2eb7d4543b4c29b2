"""Lesion summaries on a hand-built ADTU; expected numbers worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from medcare_metrics import lesions as les
from medcare_metrics.lesions import LesionOptions


@pytest.fixture
def adsl() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3", "P4", "SF"],
            "ENRLFL": ["Y", "Y", "Y", "Y", "N"],
            "MDTTYPE": ["SBRT", "Surgery", "SBRT", None, None],
            "PSMAFL": ["Y", "Y", "N", "Y", "N"],
            "PSMACHFL": ["Y", "N", "N", "N", "N"],
        }
    )


@pytest.fixture
def adtu() -> pd.DataFrame:
    rows = [
        # USUBJID, TULNKID, TULOC, TULOCCAT, TUMETHOD, MDTLES, RTDOSE, RTFX
        ("P1", "L1", "Rib", "Bone", "Conventional", "SBRT", 30.0, 3),
        (
            "P1",
            "L2",
            "Pelvic lymph node",
            "Lymph node",
            "PSMA PET-CT only",
            "Salvage lymphadenectomy",
            None,
            None,
        ),
        ("P2", "L1", "Prostate bed", "Local recurrence", "Conventional", "Conventional RT", 70.0, 35),
        ("P3", "L1", "Rib", "Bone", "Conventional", "SBRT", 30.0, 3),
        ("P3", "L2", "Rib", "Bone", "Conventional", "SBRT", None, None),
        ("P3", "L3", "Liver", "Visceral", "PSMA PET-CT only", "Metastasectomy", None, None),
        ("P3", "L4", "Spine", "Bone", "PSMA PET-CT only", "SBRT", 24.0, 3),
        ("SF", "L1", "Rib", "Bone", None, "SBRT", 30.0, 3),  # screen failure: left out when ADSL is given
    ]
    frame = pd.DataFrame(
        rows, columns=["USUBJID", "TULNKID", "TULOC", "TULOCCAT", "TUMETHOD", "MDTLES", "RTDOSE", "RTFX"]
    )
    frame["RTFX"] = pd.array([None if pd.isna(v) else int(v) for v in frame["RTFX"]], dtype="Int64")
    return frame


def test_bed_eqd2_by_hand() -> None:
    # 30 Gy in 3 fractions, alpha/beta 1.5: d = 10, BED = 30 (1 + 10/1.5) = 230,
    # EQD2 = 230 / (1 + 2/1.5) = 98.571.
    assert les.bed(30.0, 3, 1.5) == pytest.approx(230.0)
    assert les.eqd2(30.0, 3, 1.5) == pytest.approx(98.5714, abs=1e-4)
    # 2 Gy fractions: EQD2 equals the physical dose.
    assert les.eqd2(70.0, 35, 1.5) == pytest.approx(70.0)
    # alpha/beta 3: BED = 30 (1 + 10/3) = 130, EQD2 = 130 / (5/3) = 78.
    assert les.bed(30.0, 3, 3.0) == pytest.approx(130.0)
    assert les.eqd2(30.0, 3, 3.0) == pytest.approx(78.0)
    with pytest.raises(ValueError, match="alpha/beta"):
        les.bed(30.0, 3, 0.0)


def test_lesions_per_patient(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    per = les.lesions_per_patient(adtu, adsl)
    assert list(per["USUBJID"]) == ["P1", "P2", "P3", "P4"]
    assert list(per["N_LESIONS"]) == [2, 1, 4, 0]
    assert list(per["N_CONVENTIONAL"]) == [1, 1, 2, 0]
    # P3 has 4 lesions but 2 on conventional imaging: not polyprogression (PSMA-only lesions do not count).
    assert list(per["POLYPROGRESSION"]) == [False, False, False, False]
    assert list(per["MDTTYPE"]) == ["SBRT", "Surgery", "SBRT", les.NOT_RECORDED]
    strict = les.lesions_per_patient(adtu, adsl, LesionOptions(max_lesions=1))
    assert list(strict["POLYPROGRESSION"]) == [False, False, True, False]
    # Without TUMETHOD every lesion counts as conventional.
    no_method = les.lesions_per_patient(adtu.drop(columns="TUMETHOD"), adsl)
    assert list(no_method["POLYPROGRESSION"]) == [False, False, True, False]


def test_without_adsl_every_adtu_subject_counts(adtu: pd.DataFrame) -> None:
    per = les.lesions_per_patient(adtu)
    assert list(per["USUBJID"]) == ["P1", "P2", "P3", "SF"]
    assert set(per["MDTTYPE"]) == {les.NOT_RECORDED}


def test_lesion_count_distribution(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    dist = les.lesion_count_distribution(adtu, adsl)
    got = {
        (str(c), m): n
        for c, m, n in zip(dist["N_LESIONS_CAT"], dist["MDTTYPE"], dist["N_PATIENTS"], strict=True)
    }
    assert got == {("0", les.NOT_RECORDED): 1, ("1", "Surgery"): 1, ("2", "SBRT"): 1, (">3", "SBRT"): 1}
    assert list(dist["N_LESIONS_CAT"].cat.categories) == ["0", "1", "2", "3", ">3"]
    conv = les.lesion_count_distribution(adtu, adsl, basis="conventional")
    got = {
        (str(c), m): n
        for c, m, n in zip(conv["N_LESIONS_CAT"], conv["MDTTYPE"], conv["N_PATIENTS"], strict=True)
    }
    # Conventional lesions: P1 1, P2 1, P3 2, P4 0.
    assert got == {("0", les.NOT_RECORDED): 1, ("1", "SBRT"): 1, ("1", "Surgery"): 1, ("2", "SBRT"): 1}
    with pytest.raises(ValueError, match="basis"):
        les.lesion_count_distribution(adtu, adsl, basis="psma")


def test_lesions_by_site(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    cat = les.lesions_by_site(adtu, adsl)
    assert list(cat["TULOCCAT"]) == ["Bone", "Lymph node", "Visceral", "Local recurrence"]
    assert list(cat["N_LESIONS"]) == [4, 1, 1, 1]
    assert list(cat["N_PATIENTS"]) == [2, 1, 1, 1]
    site = les.lesions_by_site(adtu, adsl, level="site")
    rib = site.loc[site["TULOC"] == "Rib"].iloc[0]
    assert (rib["N_LESIONS"], rib["N_PATIENTS"]) == (3, 2)
    with pytest.raises(ValueError, match="level"):
        les.lesions_by_site(adtu, adsl, level="organ")


def test_detection_summary(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    det = les.detection_summary(adtu, adsl)
    assert det.n_patients == 4
    assert det.n_lesions == 7
    assert det.n_conventional == 4
    assert det.n_psma_only == 3
    assert det.n_method_missing == 0
    assert det.n_patients_psma_added == 2  # P1 and P3
    assert det.n_patients_psma_done == 3  # P1, P2, P4
    assert det.n_patients_plan_changed == 1  # P1
    bone = det.by_site.loc[det.by_site["TULOCCAT"] == "Bone"]
    assert dict(zip(bone["TUMETHOD"], bone["N_LESIONS"], strict=True)) == {
        "Conventional": 3,
        "PSMA PET-CT only": 1,
    }
    no_flags = les.detection_summary(adtu, adsl.drop(columns=["PSMAFL", "PSMACHFL"]))
    assert no_flags.n_patients_psma_done is None and no_flags.n_patients_plan_changed is None
    with pytest.raises(ValueError, match="TUMETHOD"):
        les.detection_summary(adtu.drop(columns="TUMETHOD"), adsl)


def test_mdt_per_lesion(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    mdt = les.mdt_per_lesion(adtu, adsl)
    assert list(mdt["MDTLES"]) == ["SBRT", "Conventional RT", "Metastasectomy", "Salvage lymphadenectomy"]
    assert list(mdt["N_LESIONS"]) == [4, 1, 1, 1]
    assert list(mdt["N_PATIENTS"]) == [2, 1, 1, 1]
    assert mdt["PCT_LESIONS"].iloc[0] == pytest.approx(400 / 7)


def test_radiotherapy_doses(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    doses = les.radiotherapy_doses(adtu, adsl)
    assert list(zip(doses["USUBJID"], doses["TULNKID"], strict=True)) == [
        ("P1", "L1"),
        ("P2", "L1"),
        ("P3", "L1"),
        ("P3", "L2"),
        ("P3", "L4"),
    ]
    # 24 Gy / 3: d = 8, BED = 24 (1 + 8/1.5) = 152, EQD2 = 152 / (7/3) = 65.143. 70 Gy / 35: BED = 163.33.
    assert list(doses["BED"].round(2).fillna(-1)) == [230.0, 163.33, 230.0, -1, 152.0]
    assert doses["EQD2"].iloc[4] == pytest.approx(65.1429, abs=1e-4)
    assert math.isnan(doses["EQD2"].iloc[3])
    ab3 = les.radiotherapy_doses(adtu, adsl, LesionOptions(alpha_beta_gy=3.0))
    assert ab3["EQD2"].iloc[0] == pytest.approx(78.0)


def test_dose_summary(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    summary = les.dose_summary(adtu, adsl)
    cols = ["MDTLES", "RTDOSE", "RTFX", "N_LESIONS", "N_PATIENTS"]
    rows = [
        (m, None if pd.isna(d) else d, None if pd.isna(f) else int(f), n, p)
        for m, d, f, n, p in summary[cols].itertuples(index=False)
    ]
    assert rows == [
        ("SBRT", 30.0, 3, 2, 2),
        ("SBRT", 24.0, 3, 1, 1),
        ("SBRT", None, None, 1, 1),
        ("Conventional RT", 70.0, 35, 1, 1),
    ]


def test_patient_site_matrix(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    matrix = les.patient_site_matrix(adtu, adsl)
    assert list(matrix.columns) == ["Bone", "Lymph node", "Visceral", "Local recurrence"]
    assert matrix.loc["P1"].tolist() == [1, 1, 0, 0]
    assert matrix.loc["P2"].tolist() == [0, 0, 0, 1]
    assert matrix.loc["P3"].tolist() == [3, 0, 1, 0]
    assert matrix.loc["P4"].tolist() == [0, 0, 0, 0]
    assert "SF" not in matrix.index


def test_missing_required_column(adtu: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="TULOCCAT"):
        les.lesions_per_patient(adtu.drop(columns="TULOCCAT"))
    with pytest.raises(ValueError, match="RTDOSE"):
        les.radiotherapy_doses(adtu.drop(columns="RTDOSE"))


def test_figures(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    from medcare_metrics.figures import lesions as figs
    from medcare_metrics.figures.style import MDT_COLORS

    count = figs.lesion_count_figure(les.lesion_count_distribution(adtu, adsl))
    assert [t.name for t in count.data] == ["SBRT", "Surgery", les.NOT_RECORDED]
    assert [t.marker.color for t in count.data[:2]] == [MDT_COLORS["SBRT"], MDT_COLORS["Surgery"]]
    sbrt = count.data[0]
    assert dict(zip(sbrt.x, sbrt.y, strict=True)) == {"2": 1, ">3": 1}
    heat = figs.patient_site_figure(les.patient_site_matrix(adtu, adsl))
    assert [list(r) for r in heat.data[0].z] == [[1, 1, 0, 0], [0, 0, 0, 1], [3, 0, 1, 0], [0, 0, 0, 0]]
    eqd2 = figs.eqd2_figure(les.radiotherapy_doses(adtu, adsl), 1.5)
    by_mdt = {t.name: sorted(round(x, 2) for x in t.x) for t in eqd2.data}
    # P3 L2 has no dose: not drawn.
    assert by_mdt == {"SBRT": [65.14, 98.57, 98.57], "Conventional RT": [70.0]}
    detection = figs.detection_figure(les.detection_summary(adtu, adsl))
    assert [t.name for t in detection.data] == [les.CONVENTIONAL, les.PSMA_ONLY]


def test_lesions_by_site_stacked_by_patient_mdt_type(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    by_site = les.lesions_by_site(adtu, adsl, stack="patient")
    # Bone: P1 (SBRT) 1 lesion + P3 (SBRT) 3; lymph node P1; visceral P3; local recurrence P2 (Surgery).
    rows = by_site[["TULOCCAT", "MDTTYPE", "N_LESIONS", "N_PATIENTS"]].itertuples(index=False, name=None)
    assert list(rows) == [
        ("Bone", "SBRT", 4, 2),
        ("Lymph node", "SBRT", 1, 1),
        ("Visceral", "SBRT", 1, 1),
        ("Local recurrence", "Surgery", 1, 1),
    ]
    assert "MDTLES" not in by_site.columns
    with pytest.raises(ValueError, match="stack"):
        les.lesions_by_site(adtu, adsl, stack="centre")


@pytest.fixture
def adtu_p4(adtu: pd.DataFrame) -> pd.DataFrame:
    """The lesions plus two of P4 (rib and liver): P3 and P4 then share the pattern Bone + Visceral."""
    extra = pd.DataFrame(
        {
            "USUBJID": ["P4", "P4"],
            "TULNKID": ["L1", "L2"],
            "TULOC": ["Rib", "Liver"],
            "TULOCCAT": ["Bone", "Visceral"],
            "TUMETHOD": ["Conventional", "Conventional"],
            "MDTLES": ["SBRT", "Metastasectomy"],
        }
    )
    return pd.concat([adtu, extra], ignore_index=True)


def test_site_patterns(adtu: pd.DataFrame, adtu_p4: pd.DataFrame, adsl: pd.DataFrame) -> None:
    got = les.site_patterns(adtu, adsl)
    # One patient each: P1 bone + lymph node, P3 bone + visceral, P2 local recurrence, P4 none (alphabetical).
    assert list(zip(got["PATTERN"], got["MDTTYPE"], got["N_PATIENTS"], strict=True)) == [
        ("Bone + Lymph node", "SBRT", 1),
        ("Bone + Visceral", "SBRT", 1),
        ("Local recurrence", "Surgery", 1),
        (les.NO_LESION, les.NOT_RECORDED, 1),
    ]
    got = les.site_patterns(adtu_p4, adsl)
    # Bone + Visceral now holds P3 (SBRT) and P4 (MDT type not recorded): the most frequent pattern, first.
    assert list(zip(got["PATTERN"], got["MDTTYPE"], got["PATTERN_TOTAL"], strict=True))[:2] == [
        ("Bone + Visceral", "SBRT", 2),
        ("Bone + Visceral", les.NOT_RECORDED, 2),
    ]
    assert les.NO_LESION not in set(got["PATTERN"])


def test_patient_site_matrix_pattern_order(adtu_p4: pd.DataFrame, adsl: pd.DataFrame) -> None:
    matrix = les.patient_site_matrix(adtu_p4, adsl, order="pattern")
    # Bone + Visceral (2 patients): P3 (4 lesions) before P4 (2); then P1 (bone + lymph node), P2 (local).
    assert list(matrix.index) == ["P3", "P4", "P1", "P2"]
    assert matrix.loc["P4"].tolist() == [1, 0, 1, 0]
    assert list(les.patient_site_matrix(adtu_p4, adsl).index) == ["P1", "P2", "P3", "P4"]
    with pytest.raises(ValueError, match="order"):
        les.patient_site_matrix(adtu_p4, adsl, order="site")


def test_lesion_counts_from_adsl(adsl: pd.DataFrame) -> None:
    with_nles = adsl.assign(NLES=pd.array([1, 5, None, 3, 2], dtype="Int64"))
    got = les.lesion_counts_from_adsl(with_nles)
    # P1 1 (SBRT), P2 5 (Surgery), P3 no NLES (SBRT), P4 3 (no MDT type); SF is a screen failure.
    assert list(zip(got["N_LESIONS_CAT"].astype(str), got["MDTTYPE"], got["N_PATIENTS"], strict=True)) == [
        ("1", "SBRT", 1),
        ("3", les.NOT_RECORDED, 1),
        (">3", "Surgery", 1),
        (les.NOT_RECORDED, "SBRT", 1),
    ]
    assert list(got["N_LESIONS_CAT"].cat.categories) == ["0", "1", "2", "3", ">3", les.NOT_RECORDED]
    with pytest.raises(ValueError, match="NLES"):
        les.lesion_counts_from_adsl(adsl)


def test_dose_by_modality(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    got = les.dose_by_modality(adtu, adsl).set_index("MDTLES")
    assert list(got.index) == ["SBRT", "Conventional RT"]
    sbrt = got.loc["SBRT"]
    # SBRT: P1 L1 30/3, P3 L1 30/3, P3 L2 no dose, P3 L4 24/3. EQD2 (alpha/beta 1.5): 98.571, 98.571, 65.143.
    assert (sbrt["N_LESIONS"], sbrt["N_PATIENTS"], sbrt["N_DOSE_MISSING"]) == (4, 2, 1)
    assert (sbrt["RTDOSE_MEDIAN"], sbrt["RTDOSE_MIN"], sbrt["RTDOSE_MAX"]) == (30.0, 24.0, 30.0)
    assert sbrt["RTFX_MEDIAN"] == 3.0
    assert sbrt["EQD2_MEDIAN"] == pytest.approx(98.5714, abs=1e-4)
    assert sbrt["EQD2_MIN"] == pytest.approx(65.1429, abs=1e-4)
    conv = got.loc["Conventional RT"]
    assert (conv["N_LESIONS"], conv["RTDOSE_MEDIAN"], conv["RTFX_MEDIAN"]) == (1, 70.0, 35.0)
    assert conv["EQD2_MAX"] == pytest.approx(70.0)


def test_more_figures(adtu: pd.DataFrame, adtu_p4: pd.DataFrame, adsl: pd.DataFrame) -> None:
    from medcare_metrics.figures import lesions as figs

    small = figs.lesion_count_figure(
        les.lesion_count_distribution(adtu, adsl, basis="conventional"), limit_label="polyprogression"
    )
    assert small.layout.yaxis.dtick == 1
    assert small.layout.shapes[0].x0 == 3.5  # the ">3" bar, fifth category
    assert small.layout.annotations[0].text == "polyprogression"
    many = pd.DataFrame(
        {
            "N_LESIONS_CAT": pd.Categorical(["1", "2"], categories=["0", "1", "2", "3", ">3"], ordered=True),
            "MDTTYPE": ["SBRT", "SBRT"],
            "N_PATIENTS": [40, 25],
        }
    )
    assert figs.lesion_count_figure(many).layout.yaxis.dtick is None  # one tick per patient would be 40 ticks
    matrix = les.patient_site_matrix(adtu_p4, adsl, order="pattern")
    tall = figs.patient_site_figure(matrix)
    assert list(tall.data[0].y) == ["P3", "P4", "P1", "P2"]
    compact = figs.patient_site_figure(matrix, compact_above=3)
    assert list(compact.data[0].x) == ["P3", "P4", "P1", "P2"]
    assert list(compact.data[0].y) == ["Bone", "Lymph node", "Visceral", "Local recurrence"]
    assert list(compact.data[0].z[0]) == [3, 1, 1, 0]  # bone lesions of P3, P4, P1, P2
    assert compact.layout.xaxis.showticklabels is False
    patterns = figs.site_pattern_figure(les.site_patterns(adtu_p4, adsl))
    assert list(patterns.layout.yaxis.categoryarray)[-1] == "Bone + Visceral"  # most frequent on top
    assert [t.name for t in patterns.data] == ["SBRT", "Surgery", les.NOT_RECORDED]
    by_type = figs.lesion_site_figure(les.lesions_by_site(adtu, adsl, stack="patient"))
    assert [t.name for t in by_type.data] == ["SBRT", "Surgery"]


def test_eqd2_of_many_lesions_is_one_box_per_modality(adtu: pd.DataFrame, adsl: pd.DataFrame) -> None:
    from medcare_metrics.figures import lesions as figs

    doses = les.radiotherapy_doses(adtu, adsl)
    shown = doses.loc[doses["EQD2"].notna()]
    many = pd.concat([shown] * (figs.EQD2_POINTS // len(shown) + 1), ignore_index=True)
    fig = figs.eqd2_figure(many, 1.5)
    # No point per lesion (one SVG element each): a visible box per modality over every lesion's EQD2.
    assert [t.boxpoints for t in fig.data] == [False, False]
    sbrt = next(t for t in fig.data if t.name == "SBRT")
    assert len(sbrt.x) == (many["MDTLES"] == "SBRT").sum() and sbrt.line.color is not None
    assert f"{len(many)} lesions" in fig.layout.xaxis.title.text
