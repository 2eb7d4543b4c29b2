"""The study definition of data from another study that came without a study file."""

from __future__ import annotations

import pandas as pd

from medcare_metrics.study.definition import Eligibility, Endpoint, StudyDefinition

__all__ = ["neutral_study"]


def _values(frame: pd.DataFrame | None, column: str) -> tuple[str, ...]:
    """Return the distinct non-empty values of ``frame[column]`` as text, sorted; empty when absent."""
    if frame is None or column not in frame.columns:
        return ()
    text = frame[column].dropna().astype(str).str.strip()
    return tuple(sorted(set(text[text != ""])))


def neutral_study(
    adsl: pd.DataFrame, adtte: pd.DataFrame | None = None, adtu: pd.DataFrame | None = None
) -> StudyDefinition:
    """Return a study definition taken from the data alone: neutral labels, no target, no benchmarks.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject level; its STUDYID names the study (the most frequent value; ``"Unnamed study"`` without).
    adtte : pandas.DataFrame, optional
        Time-to-event; its PARAMCDs, in order of first appearance, are the endpoints (the first one primary),
        labelled with their PARAM text where present.
    adtu : pandas.DataFrame, optional
        Lesions; MDTLES and TULOCCAT values give the lesion categories.

    Returns
    -------
    StudyDefinition
        ``neutral=True``, ``source="data"``; no target enrollment, planned accrual, benchmarks, eligibility
        thresholds, toxicity rule or visit schedule; categories are the values found in the data.
    """
    study_id = "Unnamed study"
    if "STUDYID" in adsl.columns:
        ids = adsl["STUDYID"].dropna().astype(str).str.strip()
        ids = ids[ids != ""]
        if not ids.empty:
            study_id = str(ids.value_counts().index[0])
    endpoints: list[Endpoint] = []
    if adtte is not None and "PARAMCD" in adtte.columns:
        codes = adtte["PARAMCD"].dropna().astype(str).str.strip()
        labels = adtte["PARAM"] if "PARAM" in adtte.columns else pd.Series(pd.NA, index=adtte.index)
        for code in dict.fromkeys(codes[codes != ""]):
            label = labels[codes.index[codes == code]].dropna().astype(str).str.strip()
            label = label[label != ""]
            endpoints.append(Endpoint(code, str(label.iloc[0]) if not label.empty else code, not endpoints))
    return StudyDefinition(
        study_id=study_id,
        title=study_id,
        target_enrollment=None,
        planned_accrual_months=None,
        endpoints=tuple(endpoints),
        benchmarks=(),
        centres=_values(adsl, "SITENAME"),
        mdt_types=_values(adsl, "MDTTYPE"),
        mdt_lesion_types=_values(adtu, "MDTLES"),
        radiotherapy_types=(),
        site_categories=_values(adtu, "TULOCCAT"),
        systemic_therapies=_values(adsl, "SYSTHER"),
        primary_treatments=_values(adsl, "PRIMTRT"),
        eligibility=Eligibility(),
        toxicity_rule=None,
        visit_schedule=None,
        source="data",
        neutral=True,
    )
