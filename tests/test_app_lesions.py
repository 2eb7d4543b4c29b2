"""AppTest of pages/lesions.py on a tiny source whose numbers are worked out by hand."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import CONFORMANCE, metrics, tiny_frames, write_source

from medcare_app.sidebar import AS_OF_KEY, filter_key

PAGE = "pages/lesions.py"


def lesion_frames() -> dict[str, pd.DataFrame]:
    """tiny_frames plus PSMA flags and an ADTU.

    Centre 01: T-01 (1 lesion), T-02 (2, one PSMA-only); centre 02: T-03 (1), T-04 (4 on conventional imaging:
    polyprogression). T-05 is a screen failure: its lesion is left out. PSMA PET-CT done: T-01, T-02, T-04;
    changed the plan: T-02.
    """
    frames = tiny_frames()
    frames["adsl"]["PSMAFL"] = ["Y", "Y", "N", "Y", "N", "N"]
    frames["adsl"]["PSMACHFL"] = ["N", "Y", "N", "N", "N", "N"]
    rows = [
        ("T-01", "L1", "Rib", "Bone", "Conventional", "SBRT", 30.0, 3),
        (
            "T-02",
            "L1",
            "Pelvic lymph node",
            "Lymph node",
            "Conventional",
            "Salvage lymphadenectomy",
            None,
            None,
        ),
        ("T-02", "L2", "Para-aortic lymph node", "Lymph node", "PSMA PET-CT only", "SBRT", 24.0, 3),
        ("T-03", "L1", "Prostate bed", "Local recurrence", "Conventional", "Conventional RT", 70.0, 35),
        ("T-04", "L1", "Rib", "Bone", "Conventional", "SBRT", 30.0, 3),
        ("T-04", "L2", "Spine", "Bone", "Conventional", "SBRT", 35.0, 5),
        ("T-04", "L3", "Liver", "Visceral", "Conventional", "Metastasectomy", None, None),
        ("T-04", "L4", "Pelvic lymph node", "Lymph node", "Conventional", "SBRT", 30.0, 3),
        ("T-05", "L1", "Rib", "Bone", "Conventional", "None", None, None),
    ]
    adtu = pd.DataFrame(
        rows, columns=["USUBJID", "TULNKID", "TULOC", "TULOCCAT", "TUMETHOD", "MDTLES", "RTDOSE", "RTFX"]
    )
    adtu["RTFX"] = adtu["RTFX"].astype("Int64")
    frames["adtu"] = adtu
    return frames


@pytest.fixture
def lesion_source(tmp_path: Path) -> Path:
    return write_source(tmp_path / "lesions", **lesion_frames())


def _values(array: object) -> list[object]:
    """Return a plotly JSON array as a list (plotly writes numeric arrays as base64 "bdata")."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)  # type: ignore[call-overload]


def _traces(at: object, index: int = 0) -> list[dict[str, object]]:
    """Return the traces of the ``index``-th plotly chart of the page (JSON dicts)."""
    return json.loads(at.get("plotly_chart")[index].proto.spec)["data"]  # type: ignore[attr-defined]


def _table(at: object, column: str) -> pd.DataFrame:
    for frame in at.dataframe:  # type: ignore[attr-defined]
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column} column")


def test_lesion_page(app, lesion_source: Path) -> None:
    at = app(PAGE, data=lesion_source)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Lesions"
    per = _table(at, "POLYPROGRESSION")
    assert dict(zip(per["USUBJID"], per["N_LESIONS"], strict=True)) == {
        "T-01": 1,
        "T-02": 2,
        "T-03": 1,
        "T-04": 4,
    }
    assert "T-04" in at.warning[0].value and "polyprogression" in at.warning[0].value
    shown = metrics(at)
    # 1 PSMA-only lesion (T-02 L2) of the 8 lesions of enrolled patients; PSMA done T-01, T-02, T-04 of 4;
    # plan changed T-02 of those 3.
    assert shown["Lesions added by PSMA PET-CT"] == "1 of 8"
    assert shown["Patients with PSMA-only lesions"] == "1 of 4"
    assert shown["PSMA PET-CT done"] == "3 of 4"
    assert shown["MDT plan changed"] == "1 of 3"
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["Lesions added by PSMA PET-CT"] == "12.5%"
    assert deltas["MDT plan changed"] == "33.3%"
    # Counts, sites, detection, EQD2, site patterns and the patient x site map.
    assert len(at.get("plotly_chart")) == 6


def test_dose_table_and_alpha_beta(app, lesion_source: Path) -> None:
    at = app(PAGE, data=lesion_source)
    at.run()
    schedules = _table(at, "EQD2")
    # SBRT by EQD2 at alpha/beta 1.5: 30/3 98.57 (3 lesions, 2 patients), 35/5 85.0, 24/3 65.14;
    # then conventional RT 70/35 = 70.
    assert list(zip(schedules["RTDOSE"], schedules["RTFX"], strict=True)) == [
        (30, 3),
        (35, 5),
        (24, 3),
        (70, 35),
    ]
    assert schedules["EQD2"].round(2).tolist() == [98.57, 85.0, 65.14, 70.0]
    assert schedules["N_LESIONS"].tolist() == [3, 1, 1, 1]
    at.number_input(key="les_alpha_beta").set_value(3.0).run()
    assert not at.exception
    # alpha/beta 3: 30 Gy / 3 -> BED 130, EQD2 78.
    assert _table(at, "EQD2")["EQD2"].iloc[0] == pytest.approx(78.0)


def test_centre_filter_changes_the_numbers(app, lesion_source: Path) -> None:
    at = app(PAGE, data=lesion_source)
    at.run()
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
    assert not at.exception
    shown = metrics(at)
    # Centre 01: T-01 (1 lesion), T-02 (2, one PSMA-only); both had PSMA PET-CT, T-02's plan changed.
    assert shown["Lesions added by PSMA PET-CT"] == "1 of 3"
    assert shown["Patients with PSMA-only lesions"] == "1 of 2"
    assert shown["PSMA PET-CT done"] == "2 of 2"
    assert shown["MDT plan changed"] == "1 of 2"
    assert not at.warning  # T-04 (polyprogression) is in centre 02


def test_site_level_and_count_basis(app, lesion_source: Path) -> None:
    at = app(PAGE, data=lesion_source)
    at.run()
    at.radio(key="les_site_level").set_value("Site").run()
    sites = _table(at, "TULOC")
    rib = sites.loc[sites["TULOC"] == "Rib"]
    assert rib["N_LESIONS"].sum() == 2 and set(rib["N_PATIENTS"]) == {2}
    at.radio(key="les_basis").set_value("Conventional imaging only").run()
    assert not at.exception


def test_source_without_adtu_uses_adsl_nles(app, tmp_path: Path) -> None:
    at = app(PAGE, data=write_source(tmp_path / "adsl_only", adsl=tiny_frames()["adsl"]))
    at.run()
    assert not at.exception
    assert "no ADTU" in at.info[0].value
    # Enrolled T-01..T-04 have NLES 1, 2, 1, 3 (the screen failures' 5 and 1 are left out): 1 lesion T-01
    # and T-03 (SBRT), 2 lesions T-02 (Surgery), 3 lesions T-04 (SBRT + surgery).
    assert len(at.get("plotly_chart")) == 1
    bars = {t["name"]: dict(zip(_values(t["x"]), _values(t["y"]), strict=True)) for t in _traces(at)}
    assert bars == {"SBRT": {"1": 2}, "Surgery": {"2": 1}, "SBRT + surgery": {"3": 1}}
    assert any("ADSL.NLES" in s.value for s in at.subheader)


def test_source_without_adtu_or_nles(app, tmp_path: Path) -> None:
    adsl = tiny_frames()["adsl"].drop(columns=["NLES", "MDTTYPE"])
    at = app(PAGE, data=write_source(tmp_path / "bare_adsl", adsl=adsl))
    at.run()
    assert not at.exception
    assert "no ADTU" in at.info[0].value
    assert not at.get("plotly_chart")
    captions = " ".join(c.value for c in at.caption)
    assert "NLES, PSMAFL, PSMACHFL, MDTTYPE" in captions


def test_adtu_without_optional_columns(app, tmp_path: Path) -> None:
    frames = lesion_frames()
    frames["adtu"] = frames["adtu"][["USUBJID", "TULNKID", "TULOC", "TULOCCAT"]]
    at = app(PAGE, data=write_source(tmp_path / "bare", **frames))
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "TUMETHOD" in captions and "MDTLES" in captions and "RTDOSE" in captions


def test_conformance_data_has_no_lesions(app) -> None:
    at = app(PAGE, data=CONFORMANCE / "cdiscpilot01")
    at.run()
    assert not at.exception
    assert "no ADTU" in at.info[0].value
    assert "nothing about lesions can be shown" in " ".join(c.value for c in at.caption)
    assert not at.get("plotly_chart")


def test_as_of_leaves_out_later_patients(app, lesion_source: Path) -> None:
    at = app(PAGE, data=lesion_source)
    at.run()
    at.sidebar.date_input(key=AS_OF_KEY).set_value(dt.date(2022, 12, 31)).run()
    assert not at.exception
    per = _table(at, "POLYPROGRESSION")
    # T-04 registered on 2023-02-15: not yet in the trial, so neither its 4 lesions nor the warning.
    assert list(per["USUBJID"]) == ["T-01", "T-02", "T-03"]
    assert metrics(at)["Lesions added by PSMA PET-CT"] == "1 of 4"
    assert not at.warning


def test_site_stack_and_map_order(app, lesion_source: Path) -> None:
    at = app(PAGE, data=lesion_source)
    at.run()
    at.radio(key="les_site_stack").set_value("Patient MDT type").run()
    assert not at.exception
    by_site = next(
        d.value for d in at.dataframe if {"TULOCCAT", "MDTTYPE"} <= set(d.value.columns)
    ).set_index(["TULOCCAT", "MDTTYPE"])
    # Lymph node lesions: T-02 (Surgery) 2, T-04 (SBRT + surgery) 1.
    assert by_site.loc[("Lymph node", "Surgery"), "N_LESIONS"] == 2
    assert by_site.loc[("Lymph node", "SBRT + surgery"), "N_LESIONS"] == 1
    at.radio(key="les_map_order").set_value("Patient").run()
    assert not at.exception
    # The last chart is the patient x site map: patients in USUBJID order.
    assert _values(_traces(at, -1)[0]["y"]) == ["T-01", "T-02", "T-03", "T-04"]
