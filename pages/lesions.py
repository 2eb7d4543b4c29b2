"""Lesions: progressing lesions at registration, their sites, what PSMA PET-CT added, MDT and dose."""

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from medcare_app import cache
from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header, show_figure, unavailable
from medcare_metrics.figures.lesions import (
    COMPACT_PATIENTS,
    detection_figure,
    eqd2_figure,
    lesion_count_figure,
    lesion_site_figure,
    patient_site_figure,
    site_pattern_figure,
)
from medcare_metrics.lesions import (
    LesionOptions,
    detection_summary,
    dose_by_modality,
    dose_summary,
    lesion_count_distribution,
    lesion_counts_from_adsl,
    lesions_by_site,
    lesions_per_patient,
    mdt_per_lesion,
    patient_site_matrix,
    radiotherapy_doses,
    site_patterns,
)

GY = "%.1f Gy"
#: Display names of the table columns (the data keep their ADaM names, also in the CSV downloads).
LABELS = {
    "USUBJID": "Patient",
    "N_LESIONS": "Lesions",
    "N_CONVENTIONAL": st.column_config.NumberColumn(
        "On CT + bone scan", help="Lesions on conventional imaging"
    ),
    "POLYPROGRESSION": st.column_config.CheckboxColumn(
        "Polyprogression", help="More lesions on conventional imaging than the protocol allows"
    ),
    "MDTTYPE": "MDT type",
    "MDTLES": "Lesion MDT",
    "TULOCCAT": "Site category",
    "TULOC": "Site",
    "TUMETHOD": "Detection",
    "TULNKID": "Lesion",
    "N_PATIENTS": "Patients",
    "PCT_LESIONS": st.column_config.NumberColumn("% of lesions", format="%.1f%%"),
    "RTDOSE": st.column_config.NumberColumn("Total dose", format=GY),
    "RTFX": "Fractions",
    "DOSE_PER_FX": st.column_config.NumberColumn("Dose per fraction", format=GY),
    "BED": st.column_config.NumberColumn("BED", format=GY),
    "EQD2": st.column_config.NumberColumn("EQD2", format=GY),
    "N_DOSE_MISSING": st.column_config.NumberColumn("No dose", help="Lesions without RTDOSE or RTFX"),
    "RTDOSE_MEDIAN": st.column_config.NumberColumn("Dose, median", format=GY),
    "RTDOSE_MIN": st.column_config.NumberColumn("min", format=GY),
    "RTDOSE_MAX": st.column_config.NumberColumn("max", format=GY),
    "RTFX_MEDIAN": st.column_config.NumberColumn("Fractions, median", format="%g"),
    "RTFX_MIN": None,
    "RTFX_MAX": None,
    "EQD2_MEDIAN": st.column_config.NumberColumn("EQD2, median", format=GY),
    "EQD2_MIN": st.column_config.NumberColumn("min", format=GY),
    "EQD2_MAX": st.column_config.NumberColumn("max", format=GY),
}


def table(frame: pd.DataFrame) -> None:
    """Draw ``frame`` with readable column names and units."""
    st.dataframe(frame, hide_index=True, column_config=LABELS)


def share_metric(
    where: DeltaGenerator, label: str, n: int | None, total: int | None, help: str | None = None
) -> None:
    """Draw a metric "n of N" with the percentage under it ("n/a" when the data lack the count)."""
    if n is None or total is None:
        where.metric(label, "n/a", help=help, border=True)
        return
    pct = f"{100.0 * n / total:.1f}%" if total else None
    where.metric(label, f"{n} of {total}", pct, delta_color="off", delta_arrow="off", help=help, border=True)


ctx = page_context()
trial = ctx.trial
page_header(
    ctx,
    "Lesions",
    "Progressing lesions at registration of the enrolled patients: how many, where, how they were found and "
    "how they were treated.",
)
options = LesionOptions()
adsl = trial.adsl
if trial.adtu is None:
    missing_dataset("adtu", "the lesion sites, detection, MDT per lesion and radiotherapy dose")
    if "NLES" in adsl.columns:
        st.subheader("Lesions per patient on conventional imaging (ADSL.NLES)")
        counts = cache.measure(ctx, lesion_counts_from_adsl, cache.Dataset("adsl"), options)
        show_figure(
            lesion_count_figure(counts, max_lesions=options.max_lesions, limit_label="polyprogression"),
            key="les_count_adsl",
        )
        st.caption(
            f"From ADSL.NLES, the lesion count recorded at registration; eligibility allows at most "
            f"{options.max_lesions}. Bars are stacked by the patient's MDT type."
        )
    else:
        absent = [c for c in ("NLES", "PSMAFL", "PSMACHFL", "MDTTYPE") if c not in adsl.columns]
        st.caption(
            ":material/info: ADSL has none of the subject-level lesion columns either ("
            + ", ".join(absent)
            + "), so nothing about lesions can be shown for this source."
        )
    st.stop()

adtu = trial.adtu
try:
    per_patient = cache.measure(
        ctx, lesions_per_patient, cache.Dataset("adtu"), cache.Dataset("adsl"), options
    )
except ValueError as err:
    unavailable(str(err))
    st.stop()
if per_patient.empty:
    st.info("No enrolled patient in the selection, so no lesion to show.", icon=":material/info:")
    st.stop()

count_tab, site_tab, detection_tab, mdt_tab, map_tab = st.tabs(
    ["Lesions per patient", "Sites", "Detection (PSMA PET-CT)", "MDT and dose", "Patient × site"]
)

with count_tab:
    basis_label = st.radio(
        "Count", ["All lesions", "Conventional imaging only"], horizontal=True, key="les_basis"
    )
    basis = "all" if basis_label == "All lesions" else "conventional"
    distribution = cache.measure(
        ctx, lesion_count_distribution, cache.Dataset("adtu"), cache.Dataset("adsl"), options, basis=basis
    )
    limit = "polyprogression" if basis == "conventional" else None
    show_figure(
        lesion_count_figure(distribution, max_lesions=options.max_lesions, limit_label=limit), key="les_count"
    )
    poly = per_patient.loc[per_patient["POLYPROGRESSION"], "USUBJID"].tolist()
    if poly:
        named = ", ".join(poly[:10]) + (f" and {len(poly) - 10} more" if len(poly) > 10 else "")
        st.warning(
            f"{len(poly)} patient(s) with more than {options.max_lesions} lesions on conventional imaging "
            f"(polyprogression, an exclusion criterion): {named}.",
            icon=":material/warning:",
        )
    st.caption(
        f"Eligibility allows at most {options.max_lesions} lesions on conventional imaging (CT + bone scan); "
        "lesions seen on PSMA PET-CT only do not count towards it, so with “All lesions” a patient can have "
        f"more than {options.max_lesions} without polyprogression. Bars are stacked by the patient's MDT "
        "type."
    )
    table(per_patient)
    download_table(per_patient, "lesions_per_patient")

with site_tab:
    left, right = st.columns(2)
    level_label = left.radio("Group by", ["Site category", "Site"], horizontal=True, key="les_site_level")
    stack_label = right.radio(
        "Stack by", ["Lesion MDT", "Patient MDT type"], horizontal=True, key="les_site_stack"
    )
    by_site = cache.measure(
        ctx,
        lesions_by_site,
        cache.Dataset("adtu"),
        cache.Dataset("adsl"),
        level="category" if level_label == "Site category" else "site",
        stack="lesion" if stack_label == "Lesion MDT" else "patient",
    )
    show_figure(lesion_site_figure(by_site), key="les_site")
    st.caption(
        "Lesions (not patients) per site, stacked by "
        + (
            "the MDT applied to each lesion (ADTU.MDTLES)."
            if stack_label == "Lesion MDT"
            else "the patient's MDT type (ADSL.MDTTYPE)."
        )
    )
    table(by_site)
    download_table(by_site, "lesions_by_site")

with detection_tab:
    if "TUMETHOD" not in adtu.columns:
        unavailable("ADTU has no TUMETHOD column (conventional imaging or PSMA PET-CT only).")
    else:
        detection = cache.measure(ctx, detection_summary, cache.Dataset("adtu"), cache.Dataset("adsl"))
        cols = st.columns(4)
        share_metric(
            cols[0],
            "Lesions added by PSMA PET-CT",
            detection.n_psma_only,
            detection.n_lesions,
            "Lesions seen on PSMA PET-CT only, of all lesions",
        )
        share_metric(
            cols[1], "Patients with PSMA-only lesions", detection.n_patients_psma_added, detection.n_patients
        )
        done, changed = detection.n_patients_psma_done, detection.n_patients_plan_changed
        share_metric(cols[2], "PSMA PET-CT done", done, detection.n_patients, "ADSL.PSMAFL = Y")
        share_metric(
            cols[3],
            "MDT plan changed",
            changed,
            done,
            "PSMA PET-CT changed the MDT plan (ADSL.PSMACHFL = Y), of the patients who had one",
        )
        missing_flags = [c for c in ("PSMAFL", "PSMACHFL") if c not in adsl.columns]
        st.caption(
            "Lesions on conventional imaging (CT + bone scan) versus those seen on PSMA PET-CT only. "
            "Patients: enrolled patients in the selection."
            + (f" ADSL has no {' or '.join(missing_flags)} column." if missing_flags else "")
            + (
                f" {detection.n_method_missing} lesion(s) without TUMETHOD."
                if detection.n_method_missing
                else ""
            )
        )
        show_figure(detection_figure(detection), key="les_detection")
        table(detection.by_site)

with mdt_tab:
    st.subheader("MDT per lesion")
    if "MDTLES" not in adtu.columns:
        unavailable("ADTU has no MDTLES column (MDT per lesion).")
    else:
        table(cache.measure(ctx, mdt_per_lesion, cache.Dataset("adtu"), cache.Dataset("adsl")))
    st.subheader("Radiotherapy dose and fractionation")
    if not {"RTDOSE", "RTFX"} <= set(adtu.columns):
        unavailable("ADTU has no RTDOSE and RTFX columns (radiotherapy dose and fractions).")
    else:
        alpha_beta = st.number_input(
            "Alpha/beta ratio (Gy) for BED and EQD2",
            min_value=0.1,
            max_value=20.0,
            value=float(ctx.settings.alpha_beta_gy),
            step=0.5,
            key="les_alpha_beta",
            help=f"Protocol default {ctx.settings.alpha_beta_gy:g} Gy (prostate cancer).",
        )
        dose_options = LesionOptions(alpha_beta_gy=float(alpha_beta))
        st.caption(
            "BED = D (1 + d / (α/β)) and EQD2 = BED / (1 + 2 / (α/β)), with "
            f"α/β = {dose_options.alpha_beta_gy:g} Gy; D total dose, d dose per fraction. Median and range "
            "over the irradiated lesions:"
        )
        table(
            cache.measure(ctx, dose_by_modality, cache.Dataset("adtu"), cache.Dataset("adsl"), dose_options)
        )
        st.markdown("**Schedules**")
        schedules = cache.measure(
            ctx, dose_summary, cache.Dataset("adtu"), cache.Dataset("adsl"), dose_options
        )
        table(schedules)
        download_table(schedules, "radiotherapy_schedules")
        doses = radiotherapy_doses(adtu, adsl, dose_options)
        show_figure(eqd2_figure(doses, dose_options.alpha_beta_gy), key="les_eqd2")
        st.caption("One point per irradiated lesion; hover for the patient, site and schedule.")
        download_table(doses, "radiotherapy_doses_per_lesion")

with map_tab:
    patterns = cache.measure(ctx, site_patterns, cache.Dataset("adtu"), cache.Dataset("adsl"))
    st.subheader("Site patterns")
    show_figure(site_pattern_figure(patterns), key="les_patterns")
    st.caption("Patients by the combination of site categories of their lesions, stacked by MDT type.")
    st.subheader("Patient × site category")
    order_label = st.radio(
        "Order patients by", ["Site pattern", "Patient"], horizontal=True, key="les_map_order"
    )
    matrix = cache.measure(
        ctx,
        patient_site_matrix,
        cache.Dataset("adtu"),
        cache.Dataset("adsl"),
        order="pattern" if order_label == "Site pattern" else "patient",
    )
    show_figure(patient_site_figure(matrix), key="les_map")
    st.caption(
        "Lesions per patient and site category; empty cells have none."
        + (
            f" With more than {COMPACT_PATIENTS} patients each patient is a thin column; hover for who it is."
            if len(matrix) > COMPACT_PATIENTS
            else ""
        )
    )
