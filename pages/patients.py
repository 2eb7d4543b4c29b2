"""Patients: swimmer plot, PSA waterfall, one patient's profile, and what changed since a date."""

import pandas as pd
import streamlit as st

from medcare_app import cache
from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header, show_figure, unavailable
from medcare_metrics.cuts import changes_since, since_window
from medcare_metrics.figures.patients import (
    patient_timeline_figure,
    psa_trajectory_figure,
    psa_waterfall_figure,
    swimmer_figure,
)
from medcare_metrics.patients import (
    DATE_FIELDS,
    adverse_event_table,
    baseline_table,
    lesion_table,
    patient_ids,
    patient_profile,
    psa_response_count,
    psa_waterfall,
    status_counts,
    swimmer_data,
    swimmer_events,
    time_to_event_table,
)
from medcare_metrics.subjects import first_entry_date

ctx = page_context()
trial = ctx.trial
page_header(
    ctx,
    "Patients",
    "Each enrolled patient's course, PSA response and record, and what is new since a chosen date.",
)


def _table(frame: pd.DataFrame) -> None:
    """Show a listing with its dates as YYYY-MM-DD."""
    dates = frame.select_dtypes(include=["datetime64[ns]"]).columns
    st.dataframe(
        frame,
        hide_index=True,
        column_config={c: st.column_config.DateColumn(c, format="YYYY-MM-DD") for c in dates},
    )


# Bound to the URL so a copied link opens the same tab, patient and window.
swimmer_tab, waterfall_tab, profile_tab, changes_tab = st.tabs(
    ["Swimmer plot", "PSA waterfall", "Patient profile", "Changes since"],
    key="patients_tab",
    bind="query-params",
)

with swimmer_tab:
    order_label = st.radio(
        "Sort patients by",
        ["Follow-up length", "NEST-FS time"],
        horizontal=True,
        key="patients_swimmer_order",
    )
    order = "follow_up" if order_label == "Follow-up length" else "nestfs"
    swimmers = cache.measure(ctx, swimmer_data, cache.TRIAL, order=order)
    if swimmers.empty:
        st.info("No enrolled patient with a registration date to draw.", icon=":material/info:")
    else:
        by_status = status_counts(swimmers)
        unknown = (
            f", {by_status['Unknown']} alive with no study status (ADSL has no EOSSTT)"
            if by_status["Unknown"]
            else ""
        )
        st.markdown(
            f"**{len(swimmers)} patients**: {by_status['Ongoing']} in follow-up, "
            f"{by_status['Off study']} left the study alive, {by_status['Died']} died{unknown}."
        )
        show_figure(
            cache.measure(ctx, swimmer_figure, swimmers, cache.measure(ctx, swimmer_events, cache.TRIAL)),
            key="patients_swimmer",
        )
        st.caption(
            "Bars run from registration to last contact (OS date, else last known alive, death, end of "
            "study, the latest date recorded for the patient, else the "
            f"{ctx.cutoff_label}), in months, coloured by MDT type. An arrow marks follow-up still ongoing; "
            "a vertical tick a patient off study while alive (or whose study status is not recorded). "
            "NEST-FS and PFS events that are deaths show as death only. "
            "NEST-FS time sorts by the time to the primary-endpoint event or censoring."
        )
        download_table(swimmers, "swimmer_patients")
        if trial.adtte is None:
            missing_dataset("adtte", "progression and NEST start markers")

with waterfall_tab:
    if trial.adlb is None:
        missing_dataset("adlb", "the PSA waterfall")
    else:
        stop_at_nest = st.toggle(
            "Leave out PSA values after the start of a next-line systemic treatment",
            value=trial.adtte is not None,
            disabled=trial.adtte is None,
            key="patients_psa_until_nest",
            help="A decline after NEST start reflects the new treatment, not MDT. Needs ADTTE (NESTFS).",
        )
        waterfall = cache.measure(
            ctx,
            psa_waterfall,
            cache.Dataset("adlb"),
            cache.Dataset("adsl"),
            cache.Dataset("adtte") if stop_at_nest else None,
        )
        if waterfall.empty:
            unavailable("no enrolled patient has a PSA baseline and a later PSA value.")
        else:
            responders, evaluable = psa_response_count(waterfall)
            st.markdown(
                f"**{responders} of {evaluable} evaluable patients** had a PSA decline of at least 50% "
                "from baseline (PCWG3)."
            )
            show_figure(
                psa_waterfall_figure(
                    waterfall,
                    title=f"Best PSA change: {responders} of {evaluable} patients with a decline ≥ 50%",
                ),
                key="patients_waterfall",
            )
            st.caption(
                "Best change = the largest decline, or the smallest rise when PSA never fell, over the "
                "samples after baseline (the ABLFL record, else the last sample before MDT)"
                + (", up to the start of a next-line systemic treatment" if stop_at_nest else "")
                + ". Not confirmed by a second value. Patients without a later sample are not shown; "
                "rises above +100% are cut at +100% and labelled."
            )
            download_table(waterfall, "psa_waterfall")

with profile_tab:
    ids = cache.measure(ctx, patient_ids, cache.TRIAL)
    if not ids:
        st.info("No enrolled patient to show.", icon=":material/info:")
    else:
        usubjid = st.selectbox("Patient (USUBJID)", ids, key="patient", bind="query-params")
        profile = cache.measure(ctx, patient_profile, cache.TRIAL, usubjid)
        left, right = st.columns(2)
        with left:
            st.subheader("Baseline")
            st.table(baseline_table(profile), hide_index=True, hide_header=True)
        with right:
            st.subheader("Dates and status")
            st.table(baseline_table(profile, DATE_FIELDS), hide_index=True, hide_header=True)
        st.subheader("Lesions and their MDT")
        lesions = lesion_table(profile)
        if lesions is None:
            missing_dataset("adtu", "the lesions")
        elif lesions.empty:
            st.caption("No lesion recorded for this patient.")
        else:
            st.dataframe(lesions, hide_index=True)
        st.subheader("Timeline: events and adverse events")
        show_figure(patient_timeline_figure(profile.events, profile.adverse_events), key="patients_timeline")
        adverse_events = adverse_event_table(profile)
        if adverse_events is None:
            missing_dataset("adae", "the adverse events")
        elif adverse_events.empty:
            st.caption("No adverse event recorded for this patient.")
        else:
            st.dataframe(adverse_events, hide_index=True)
            st.caption(
                "No. is the row of the timeline; Month is the onset in months since registration. Ongoing "
                "AEs are drawn to the date of the view."
            )
        st.subheader("PSA trajectory")
        if profile.psa is None:
            missing_dataset("adlb", "the PSA trajectory")
        elif profile.psa.empty:
            st.caption("No PSA value recorded for this patient.")
        else:
            log_y = st.toggle("Logarithmic PSA axis", key="patients_psa_log")
            show_figure(psa_trajectory_figure(profile.psa, profile.events, log_y=log_y), key="patients_psa")
        st.subheader("Time-to-event records")
        records = time_to_event_table(profile)
        if records is None:
            missing_dataset("adtte", "the time-to-event records")
        elif records.empty:
            st.caption("No time-to-event record for this patient.")
        else:
            st.dataframe(records, hide_index=True)

with changes_tab:
    if ctx.as_of is None:
        unavailable("the data hold no date, so there is no date to compare with.")
    else:
        window = since_window(first_entry_date(ctx.full.adsl), ctx.as_of)
        # Same key, default and URL parameter as the overview's "Changes since": one date for both pages.
        since = st.date_input(
            "Changes since",
            value=window.default,
            min_value=window.min,
            max_value=window.max,
            key="since",
            bind="query-params",
            format="YYYY-MM-DD",
            width=300,
            help="For example the last steering committee. Default: 91 days (13 weeks) before the view date.",
        )
        changes = cache.measure(ctx, changes_since, cache.TRIAL, window.clamp(since), until=ctx.as_of)
        st.markdown(
            f"New between **{changes.since:%Y-%m-%d}** (excluded) and **{changes.until:%Y-%m-%d}** "
            "(included), among the patients selected in the sidebar."
        )
        counts = changes.counts()
        shown = list(counts.items())
        for start in range(0, len(shown), 3):
            for column, (label, count) in zip(st.columns(3), shown[start : start + 3], strict=False):
                column.metric(label, count, border=True)
        for note in changes.notes:
            unavailable(note)
        listings = (
            ("enrolled", changes.enrolled, "Patients enrolled (registered in the window)"),
            ("events", changes.events, "NEST-FS and PFS events"),
            ("deaths", changes.deaths, "Deaths"),
            ("severe_aes", changes.severe_aes, "New grade ≥ 3 adverse events (onset in the window)"),
            ("upgrades", changes.upgrades, "Grade upgrades (worst grade per patient and term rose)"),
        )
        for name, table, title in listings:
            keys = ("NESTFS", "PFS") if name == "events" else (name,)
            if all(k in changes.missing for k in keys):
                continue
            st.subheader(title)
            if table.empty:
                st.caption("None.")
            else:
                _table(table)
                download_table(table, f"changes_{name}")
