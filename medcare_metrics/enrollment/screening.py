"""Screening: screen failures by eligibility criterion, their listing, and the CONSORT-style funnel."""

from __future__ import annotations

import pandas as pd

from medcare_metrics.enrollment.reference import death_mask, event_ids, normalised_codes, require_columns
from medcare_metrics.rules import enrolled_mask, flag_yes
from medcare_metrics.study import default_study
from medcare_metrics.subjects import date_values

#: SCRFCRIT value for a screen failure that is not an eligibility criterion (e.g. patient decision).
OTHER_REASON = "OTHER"
#: SCRFCRIT shown for a subject not enrolled without a recorded reason.
NOT_RECORDED = "NOT RECORDED"


def _failure_codes(adsl: pd.DataFrame) -> pd.Series:
    """SCRFCRIT normalised (upper case, blank as <NA>); all <NA> when the column is absent."""
    if "SCRFCRIT" not in adsl.columns:
        return pd.Series(pd.NA, index=adsl.index, dtype="string")
    return normalised_codes(adsl, "SCRFCRIT")


def _ineligible_mask(adsl: pd.DataFrame) -> pd.Series:
    codes = _failure_codes(adsl)
    failed_criterion = codes.notna() & codes.ne(OTHER_REASON)
    return (failed_criterion & ~enrolled_mask(adsl)).fillna(False).astype(bool)


def _criteria(criteria: dict[str, str] | None) -> dict[str, str]:
    """Return the criteria texts by code: those given, else MEDCARE's (the study file's)."""
    return default_study().eligibility.criteria if criteria is None else criteria


def _criterion_kind(code: str, criteria: dict[str, str]) -> str:
    if code.startswith("INC") and code in criteria:
        return "Inclusion"
    if code.startswith("EXC") and code in criteria:
        return "Exclusion"
    if code == OTHER_REASON:
        return "Other"
    if code == NOT_RECORDED:
        return "Not recorded"
    return "Unrecognised"


def _criterion_text(code: str, criteria: dict[str, str]) -> str:
    if code == NOT_RECORDED:
        return "Not recorded"
    return criteria.get(code, "Unrecognised code")


def _exit_stage(kind: str) -> str:
    """Funnel exit of a screen failure: a failed criterion (or a code that may be one) is "not eligible"."""
    return "NOT_ENROLLED" if kind in ("Other", "Not recorded") else "NOT_ELIGIBLE"


#: Kinds of screen-failure reason labelled "code: text" (a criterion, or a code that may be one); "Other" and
#: "Not recorded" are labelled by their text only.
_CODED_KINDS: frozenset[str] = frozenset({"Inclusion", "Exclusion", "Unrecognised"})


def screen_failure_reasons(adsl: pd.DataFrame, criteria: dict[str, str] | None = None) -> pd.DataFrame:
    """Screened subjects not enrolled, grouped by the eligibility criterion in SCRFCRIT.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data; SCRFCRIT (codes of the study's eligibility criteria) is used when present.
    criteria : dict of str to str, optional
        Criterion text by code (the study file's ``eligibility.criteria``); MEDCARE's by default.

    Returns
    -------
    pandas.DataFrame
        Columns SCRFCRIT, KIND (``"Inclusion"`` = inclusion criterion not met, ``"Exclusion"``, ``"Other"`` =
        not an eligibility criterion, ``"Unrecognised"`` = a code the protocol does not list, ``"Not
        recorded"`` = blank or no SCRFCRIT column), CRITERION (protocol wording), LABEL (``"EXC01: Serum
        testosterone above castrate level"``, ``"INC06 not met: WHO performance status 0-1"``; the text alone
        for other and not recorded), STAGE (the funnel
        exit the subjects count in, as in :func:`screening_funnel`: ``"NOT_ELIGIBLE"`` for inclusion,
        exclusion and unrecognised codes, ``"NOT_ENROLLED"`` for other and not recorded), N. One row per code
        with N > 0, in protocol order, then unrecognised codes, then not recorded. Codes are compared stripped
        and upper case.
    """
    criteria = _criteria(criteria)
    codes = _failure_codes(adsl).loc[~enrolled_mask(adsl)].fillna(NOT_RECORDED)
    counts = codes.value_counts()
    known = [c for c in criteria if c in counts.index]
    unknown = sorted(c for c in counts.index if c not in criteria and c != NOT_RECORDED)
    order = known + unknown + ([NOT_RECORDED] if NOT_RECORDED in counts.index else [])
    kinds = [_criterion_kind(c, criteria) for c in order]
    texts = [_criterion_text(c, criteria) for c in order]
    return pd.DataFrame(
        {
            "SCRFCRIT": pd.Series(order, dtype=object),
            "KIND": pd.Series(kinds, dtype=object),
            "CRITERION": pd.Series(texts, dtype=object),
            "LABEL": pd.Series(
                [
                    # An inclusion criterion names what was required, so say it was not met.
                    (f"{c} not met: {t}" if k == "Inclusion" else f"{c}: {t}") if k in _CODED_KINDS else t
                    for c, k, t in zip(order, kinds, texts, strict=True)
                ],
                dtype=object,
            ),
            "STAGE": pd.Series([_exit_stage(k) for k in kinds], dtype=object),
            "N": pd.Series([int(counts[c]) for c in order], dtype=int),
        }
    )


#: Columns of :func:`screen_failure_listing`.
SCREEN_FAILURE_COLUMNS: tuple[str, ...] = ("USUBJID", "SITEID", "SCRNDT", "SCRFCRIT", "CRITERION", "SCRFREAS")


def screen_failure_listing(adsl: pd.DataFrame, criteria: dict[str, str] | None = None) -> pd.DataFrame:
    """List the screened subjects who were not enrolled, with the criterion and the reason as recorded.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with USUBJID and SITEID; SCRNDT, SCRFCRIT and SCRFREAS used when present.
    criteria : dict of str to str, optional
        Criterion text by code (the study file's ``eligibility.criteria``); MEDCARE's by default.

    Returns
    -------
    pandas.DataFrame
        Columns USUBJID, SITEID, SCRNDT (screening date, NaT when absent), SCRFCRIT (normalised code,
        ``"NOT RECORDED"`` when blank), CRITERION (protocol wording), SCRFREAS (as recorded, empty when
        absent); sorted by SITEID then USUBJID.

    Raises
    ------
    ValueError
        If ADSL has no USUBJID or SITEID.
    """
    require_columns(adsl, ["USUBJID", "SITEID"], "ADSL")
    failed = ~enrolled_mask(adsl)
    rows = adsl.loc[failed]
    codes = _failure_codes(adsl).loc[failed].fillna(NOT_RECORDED).astype(object)
    reasons = (
        rows["SCRFREAS"].astype("string").fillna("").astype(object)
        if "SCRFREAS" in rows.columns
        else pd.Series("", index=rows.index, dtype=object)
    )
    out = pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].astype(str),
            "SITEID": rows["SITEID"].astype(str),
            "SCRNDT": date_values(rows, "SCRNDT"),
            "SCRFCRIT": codes,
            "CRITERION": codes.map(lambda c: _criterion_text(c, _criteria(criteria))).astype(object),
            "SCRFREAS": reasons,
        }
    )
    return out.sort_values(["SITEID", "USUBJID"], kind="stable").reset_index(drop=True)


#: Funnel stage code -> (label, definition). Order is the order of the returned rows.
FUNNEL_STAGES: dict[str, tuple[str, str]] = {
    "SCREENED": ("Screened", "Every ADSL row (one per screened subject)."),
    "NOT_ELIGIBLE": (
        "Not eligible",
        "Not enrolled, and SCRFCRIT names an eligibility criterion (any code other than OTHER).",
    ),
    "ELIGIBLE": ("Eligible", "Screened minus not eligible."),
    "NOT_ENROLLED": (
        "Eligible, not enrolled",
        "Eligible and ENRLFL not Y: SCRFCRIT OTHER (e.g. patient decision) or blank.",
    ),
    "ENROLLED": ("Enrolled", "ENRLFL = Y."),
    "NO_MDT": ("Enrolled, no MDT", "Enrolled and MDT not received."),
    "MDT": ("MDT received", "Enrolled and SAFFL = Y (TRTSDT present when ADSL has no SAFFL)."),
    "DIED": ("Died", "DTHFL = Y or DTHDT present (OS event in ADTTE when ADSL has neither)."),
    "NEST": ("NEST started", "Alive, NEST-free survival event (ADTTE NESTFS, CNSR = 0)."),
    "PROGRESSED": ("Progressed, no NEST", "Alive, no NEST, progression (ADTTE PFS, CNSR = 0)."),
    "WITHDRAWN": ("Withdrawn, no event", "Alive, no NEST or progression, EOSSTT = DISCONTINUED."),
    "FOLLOW_UP": (
        "In follow-up, no event",
        "Every other patient who received MDT: alive, no NEST, no progression, not withdrawn.",
    ),
}


def screening_funnel(adsl: pd.DataFrame, adtte: pd.DataFrame | None = None) -> pd.DataFrame:
    """CONSORT-style counts from screening to the patients' current status.

    Main path: screened -> eligible -> enrolled -> MDT received, with the subjects leaving the path at each
    step (not eligible, eligible but not enrolled, enrolled without MDT). Patients who received MDT are then
    split into mutually exclusive outcome boxes, the first that applies in this order: died, NEST started,
    progressed without NEST, withdrawn without any of these, in follow-up without event. The order puts the
    milestone that matters most to the trial first: a patient who started NEST and then withdrew counts under
    NEST started. The exact definition of each stage is in the DEFINITION column (from :data:`FUNNEL_STAGES`).

    Stages whose data are absent are left out instead of guessed: NO_MDT and MDT without SAFFL and TRTSDT (the
    outcome boxes then split the enrolled patients); DIED without DTHFL, DTHDT and an OS parameter; NEST and
    PROGRESSED without the NESTFS or PFS parameter in ADTTE; WITHDRAWN without EOSSTT. Without SCRFCRIT no
    subject counts as not eligible (eligible = screened).

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with USUBJID.
    adtte : pandas.DataFrame, optional
        Time-to-event data (NESTFS, PFS, OS used when present).

    Returns
    -------
    pandas.DataFrame
        Columns STAGE (code), LABEL, N (int), PARENT (stage it branches from, empty for SCREENED), KIND
        (``"main"``, ``"excluded"`` or ``"outcome"``), DEFINITION.

    Raises
    ------
    ValueError
        If ADSL has no USUBJID.
    """
    require_columns(adsl, ["USUBJID"], "ADSL")
    enrolled = enrolled_mask(adsl)
    ineligible = _ineligible_mask(adsl)
    counts: list[tuple[str, int, str, str]] = [
        ("SCREENED", len(adsl), "", "main"),
        ("NOT_ELIGIBLE", int(ineligible.sum()), "SCREENED", "excluded"),
        ("ELIGIBLE", int((~ineligible).sum()), "SCREENED", "main"),
        ("NOT_ENROLLED", int((~ineligible & ~enrolled).sum()), "ELIGIBLE", "excluded"),
        ("ENROLLED", int(enrolled.sum()), "ELIGIBLE", "main"),
    ]
    base = enrolled
    parent = "ENROLLED"
    if "SAFFL" in adsl.columns or "TRTSDT" in adsl.columns:
        treated = flag_yes(adsl, "SAFFL") if "SAFFL" in adsl.columns else date_values(adsl, "TRTSDT").notna()
        base = enrolled & treated
        counts.append(("NO_MDT", int((enrolled & ~treated).sum()), "ENROLLED", "excluded"))
        counts.append(("MDT", int(base.sum()), "ENROLLED", "main"))
        parent = "MDT"
    remaining = base.copy()
    ids = adsl["USUBJID"]
    died = death_mask(adsl, adtte)
    outcome_masks: list[tuple[str, pd.Series | None]] = [
        ("DIED", died),
        ("NEST", _as_mask(ids, event_ids(adtte, "NESTFS", ids))),
        ("PROGRESSED", _as_mask(ids, event_ids(adtte, "PFS", ids))),
        (
            "WITHDRAWN",
            normalised_codes(adsl, "EOSSTT").eq("DISCONTINUED").fillna(False).astype(bool)
            if "EOSSTT" in adsl.columns
            else None,
        ),
    ]
    for stage, mask in outcome_masks:
        if mask is None:
            continue
        hit = remaining & mask
        counts.append((stage, int(hit.sum()), parent, "outcome"))
        remaining &= ~hit
    counts.append(("FOLLOW_UP", int(remaining.sum()), parent, "outcome"))
    return pd.DataFrame(
        {
            "STAGE": [c[0] for c in counts],
            "LABEL": [FUNNEL_STAGES[c[0]][0] for c in counts],
            "N": pd.Series([c[1] for c in counts], dtype=int),
            "PARENT": [c[2] for c in counts],
            "KIND": [c[3] for c in counts],
            "DEFINITION": [FUNNEL_STAGES[c[0]][1] for c in counts],
        }
    )


def _as_mask(ids: pd.Series, chosen: set[str] | None) -> pd.Series | None:
    return None if chosen is None else ids.isin(chosen)
