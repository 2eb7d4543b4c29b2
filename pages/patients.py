"""Patients: swimmer plot, PSA waterfall, one patient's profile, and what changed since a date."""

import streamlit as st

from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header, show_figure, unavailable
from medcare_metrics.cuts import change_counts, changes_since, default_since
from medcare_metrics.figures.patients import (
    patient_timeline_figure,
    psa_trajectory_figure,
    psa_waterfall_figure,
    swimmer_figure,
)
from medcare_metrics.patients import (
    baseline_table,
    patient_ids,
    patient_profile,
    psa_response_count,
    psa_waterfall,
    swimmer_data,
    swimmer_events,
)

ctx = page_context()
trial = ctx.trial
page_header(
    ctx,
    "Patients",
    "Each enrolled patient's course, PSA response and record, and what is new since a chosen date.",
)
swimmer_tab, waterfall_tab, profile_tab, changes_tab = st.tabs(
    ["Swimmer plot", "PSA waterfall", "Patient profile", "Changes since"]
)

with swimmer_tab:
    order_label = st.radio(
        "Sort patients by",
        ["Follow-up length", "NEST-FS time"],
        horizontal=True,
        key="patients_swimmer_order",
    )
    order = "follow_up" if order_label == "Follow-up length" else "nestfs"
    swimmers = swimmer_data(trial, order=order)
    if swimmers.empty:
        st.info("No enrolled patient with a registration date to draw.", icon=":material/info:")
    else:
        show_figure(swimmer_figure(swimmers, swimmer_events(trial)), key="patients_swimmer")
        st.caption(
            "Bars run from registration to last contact (OS date, else last known alive, else the "
            "cut-off), coloured by MDT type. An arrow marks follow-up still ongoing; a vertical tick a "
            "patient off study while alive. NEST-FS and PFS events that are deaths show as death only."
        )
        download_table(swimmers, "swimmer_patients")
        if trial.adtte is None:
            missing_dataset("adtte", "progression and NEST start markers")

with waterfall_tab:
    if trial.adlb is None:
        missing_dataset("adlb", "the PSA waterfall")
    else:
        waterfall = psa_waterfall(trial.adlb, trial.adsl)
        if waterfall.empty:
            unavailable("no enrolled patient has a PSA baseline and a later PSA value.")
        else:
            responders, evaluable = psa_response_count(waterfall)
            st.markdown(
                f"**{responders} of {evaluable} evaluable patients** had a PSA decline of at least 50% "
                "from baseline (PCWG3)."
            )
            show_figure(psa_waterfall_figure(waterfall), key="patients_waterfall")
            st.caption(
                "Best change = the largest decline, or the smallest rise when PSA never fell, over all "
                "samples after baseline (the ABLFL record, else the last sample before MDT). Patients "
                "without a later sample are not shown."
            )
            download_table(waterfall, "psa_waterfall")

with profile_tab:
    ids = patient_ids(trial)
    if not ids:
        st.info("No enrolled patient to show.", icon=":material/info:")
    else:
        usubjid = st.selectbox("Patient (USUBJID)", ids, key="patients_profile_subject")
        profile = patient_profile(trial, usubjid)
        left, right = st.columns([1, 2])
        with left:
            st.subheader("Baseline")
            st.dataframe(baseline_table(profile), hide_index=True, width="stretch")
        with right:
            st.subheader("Lesions and their MDT")
            if profile.lesions is None:
                missing_dataset("adtu", "the lesions")
            elif profile.lesions.empty:
                st.caption("No lesion recorded for this patient.")
            else:
                st.dataframe(profile.lesions.drop(columns=["STUDYID"], errors="ignore"), hide_index=True)
        st.subheader("Timeline: events and adverse events")
        show_figure(patient_timeline_figure(profile.events, profile.adverse_events), key="patients_timeline")
        if profile.adverse_events is None:
            missing_dataset("adae", "the adverse events")
        elif profile.adverse_events.empty:
            st.caption("No adverse event recorded for this patient.")
        else:
            st.dataframe(profile.adverse_events, hide_index=True)
        st.subheader("PSA trajectory")
        if profile.psa is None:
            missing_dataset("adlb", "the PSA trajectory")
        elif profile.psa.empty:
            st.caption("No PSA value recorded for this patient.")
        else:
            log_y = st.toggle("Logarithmic PSA axis", key="patients_psa_log")
            show_figure(psa_trajectory_figure(profile.psa, profile.events, log_y=log_y), key="patients_psa")
        st.subheader("Time-to-event records")
        if profile.time_to_event is None:
            missing_dataset("adtte", "the time-to-event records")
        else:
            st.dataframe(profile.time_to_event.drop(columns=["STUDYID"], errors="ignore"), hide_index=True)

with changes_tab:
    if ctx.as_of is None:
        unavailable("the data hold no date, so there is no date to compare with.")
    else:
        since = st.date_input(
            "Changes since (for example the last committee meeting)",
            value=default_since(ctx.as_of),
            max_value=ctx.as_of,
            key="patients_changes_since",
        )
        changes = changes_since(trial, since, until=ctx.as_of)
        st.markdown(f"From **{changes.since:%Y-%m-%d}** (excluded) to **{changes.until:%Y-%m-%d}**.")
        counts = change_counts(changes)
        for column, (label, count) in zip(st.columns(max(len(counts), 1)), counts.items(), strict=False):
            with column:
                st.metric(label, count, border=True)
        for note in changes.notes:
            unavailable(note)
        listings = (
            ("Patients enrolled", changes.enrolled, "enrolled"),
            ("NEST-FS and PFS events", changes.events, "events"),
            ("Deaths", changes.deaths, "deaths"),
            ("New grade ≥ 3 adverse events", changes.severe_aes, "severe_aes"),
            ("Grade upgrades (worst grade per patient and term rose)", changes.upgrades, "upgrades"),
        )
        for title, table, name in listings:
            if name in changes.missing or (name == "events" and {"NESTFS", "PFS"} <= set(changes.missing)):
                continue
            st.subheader(title)
            if table.empty:
                st.caption("None.")
            else:
                st.dataframe(table, hide_index=True)
                download_table(table, f"changes_{name}")
