"""Lesions: progressing lesions at registration, their sites, what PSMA PET-CT added, MDT and dose."""

import streamlit as st

from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header, show_figure, unavailable
from medcare_metrics.figures.lesions import (
    detection_figure,
    eqd2_figure,
    lesion_count_figure,
    lesion_site_figure,
    patient_site_figure,
)
from medcare_metrics.lesions import (
    LesionOptions,
    detection_summary,
    dose_summary,
    lesion_count_distribution,
    lesions_by_site,
    lesions_per_patient,
    mdt_per_lesion,
    patient_site_matrix,
    radiotherapy_doses,
)

ctx = page_context()
trial = ctx.trial
page_header(
    ctx,
    "Lesions",
    "Progressing lesions at registration of the enrolled patients: how many, where, how they were found and "
    "how they were treated.",
)
if trial.adtu is None:
    missing_dataset("adtu", "the lesion views")
    st.stop()

adtu, adsl = trial.adtu, trial.adsl
alpha_beta = st.number_input(
    "Alpha/beta ratio (Gy) for BED and EQD2",
    min_value=0.1,
    max_value=20.0,
    value=float(ctx.settings.alpha_beta_gy),
    step=0.5,
    key="les_alpha_beta",
)
options = LesionOptions(alpha_beta_gy=float(alpha_beta))
try:
    per_patient = lesions_per_patient(adtu, adsl, options)
except ValueError as err:
    unavailable(str(err))
    st.stop()

count_tab, site_tab, detection_tab, mdt_tab, map_tab = st.tabs(
    ["Lesions per patient", "Sites", "Detection (PSMA PET-CT)", "MDT and dose", "Patient × site"]
)

with count_tab:
    basis_label = st.radio(
        "Count", ["All lesions", "Conventional imaging only"], horizontal=True, key="les_basis"
    )
    basis = "all" if basis_label == "All lesions" else "conventional"
    distribution = lesion_count_distribution(adtu, adsl, options, basis=basis)
    show_figure(lesion_count_figure(distribution, max_lesions=options.max_lesions), key="les_count")
    poly = per_patient.loc[per_patient["POLYPROGRESSION"]]
    if not poly.empty:
        st.warning(
            f"{len(poly)} patient(s) with more than {options.max_lesions} lesions on conventional imaging "
            f"(polyprogression, an exclusion criterion): {', '.join(poly['USUBJID'])}.",
            icon=":material/warning:",
        )
    st.caption(
        f"Eligibility allows at most {options.max_lesions} lesions on conventional imaging (CT + bone scan); "
        "lesions seen on PSMA PET-CT only do not count towards it. Bars are stacked by the patient's MDT "
        "type."
    )
    st.dataframe(per_patient, hide_index=True)
    download_table(per_patient, "lesions_per_patient")

with site_tab:
    level_label = st.radio("Group by", ["Site category", "Site"], horizontal=True, key="les_site_level")
    by_site = lesions_by_site(adtu, adsl, level="category" if level_label == "Site category" else "site")
    show_figure(lesion_site_figure(by_site), key="les_site")
    st.caption("Bars are stacked by the MDT applied to each lesion.")
    st.dataframe(by_site, hide_index=True)
    download_table(by_site, "lesions_by_site")

with detection_tab:
    if "TUMETHOD" not in adtu.columns:
        unavailable("ADTU has no TUMETHOD column (conventional imaging or PSMA PET-CT only).")
    else:
        detection = detection_summary(adtu, adsl)
        cols = st.columns(3)
        cols[0].metric(
            "Lesions added by PSMA PET-CT", f"{detection.n_psma_only} of {detection.n_lesions}", border=True
        )
        cols[1].metric(
            "Patients with PSMA-only lesions",
            f"{detection.n_patients_psma_added} of {detection.n_patients}",
            border=True,
        )
        changed = detection.n_patients_plan_changed
        done = detection.n_patients_psma_done
        cols[2].metric(
            "PSMA PET-CT changed the MDT plan",
            "n/a" if changed is None else (f"{changed} of {done}" if done is not None else str(changed)),
            border=True,
        )
        st.caption(
            "Lesions on conventional imaging (CT + bone scan) versus those seen on PSMA PET-CT only. Plan "
            "changed: ADSL.PSMACHFL = Y, of the patients with a baseline PSMA PET-CT (PSMAFL = Y)."
            + ("" if changed is not None else " ADSL has no PSMACHFL column.")
        )
        show_figure(detection_figure(detection), key="les_detection")
        st.dataframe(detection.by_site, hide_index=True)

with mdt_tab:
    if "MDTLES" not in adtu.columns:
        unavailable("ADTU has no MDTLES column (MDT per lesion).")
    else:
        st.subheader("MDT per lesion")
        st.dataframe(mdt_per_lesion(adtu, adsl), hide_index=True)
    st.subheader("Radiotherapy dose and fractionation")
    if not {"RTDOSE", "RTFX"} <= set(adtu.columns):
        unavailable("ADTU has no RTDOSE and RTFX columns (radiotherapy dose and fractions).")
    else:
        schedules = dose_summary(adtu, adsl, options)
        st.caption(
            "BED = D (1 + d / (α/β)) and EQD2 = BED / (1 + 2 / (α/β)), with "
            f"α/β = {options.alpha_beta_gy:g} Gy; D total dose, d dose per fraction."
        )
        st.dataframe(schedules, hide_index=True)
        download_table(schedules, "radiotherapy_schedules")
        doses = radiotherapy_doses(adtu, adsl, options)
        show_figure(eqd2_figure(doses, options.alpha_beta_gy), key="les_eqd2")
        download_table(doses, "radiotherapy_doses_per_lesion")

with map_tab:
    matrix = patient_site_matrix(adtu, adsl)
    show_figure(patient_site_figure(matrix), key="les_map")
    st.caption("Lesions per patient and site category; empty cells have none.")
