"""Possible protocol deviations: enrolled patients checked against the eligibility rules the data can verify.

Each rule looks at enrolled subjects only (ENRLFL = Y; every subject when ENRLFL is absent) and flags values
that break the protocol (``shared/trial/MEDCARE.md``; limits and criteria texts from the study file,
:attr:`medcare_metrics.study.StudyDefinition.eligibility`; :func:`eligibility_rules`). A missing
value is not a deviation, except a missing informed consent date. A rule whose columns are absent is skipped
and listed by :func:`rules_not_checked`. Some criteria cannot be checked from ADaM at all; they are in
:data:`UNCHECKABLE_CRITERIA`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from medcare_metrics.checks.engine import Condition, Needs, Rule, run_rules
from medcare_metrics.checks.engine import not_checked as _not_checked
from medcare_metrics.model import TrialData
from medcare_metrics.rules import enrolled_mask, flag_yes, per_distinct
from medcare_metrics.study import StudyDefinition, default_study
from medcare_metrics.subjects import date_values

DEVIATION_COLUMNS: tuple[str, ...] = ("USUBJID", "SITEID", "RULE", "CRITERION", "VALUE", "DETAIL")
NOT_CHECKED_COLUMNS: tuple[str, ...] = ("RULE", "CRITERION", "MISSING")
#: Eligibility criteria no ADaM column records (histology, compliance, tumour board, other malignancy, ...).
UNCHECKABLE_CRITERIA: tuple[str, ...] = ("INC01", "INC08", "INC09", "EXC03", "EXC04", "EXC05")
#: ADTU.TUMETHOD value of lesions seen on conventional imaging; only these count for oligoprogression.
CONVENTIONAL = "CONVENTIONAL"
#: ADTU.TULOCCAT value of a local recurrence (counts as one lesion however many rows it has).
LOCAL_RECURRENCE = "LOCAL RECURRENCE"
#: ADSL.SEX values of a female subject (case-insensitive).
FEMALE_CODES: frozenset[str] = frozenset({"F", "FEMALE"})
#: ADTU.TULOC text of an intracranial lesion (case-insensitive regular expression); MEDCARE treats
#: extracranial metastases only.
INTRACRANIAL_PATTERN = r"\bbrain\b|cerebr|cerebell|intracranial|\bdural\b|meninge"
#: MDT types that treat the prostate or prostate bed (local therapy of an untreated primary).
LOCAL_THERAPY_TYPES: tuple[str, ...] = ("Conventional RT", "Salvage prostatectomy")


def _crit(criteria: dict[str, str], *codes: str) -> str:
    """Return the criteria texts of ``codes`` (``"INC02: ...; EXC01: ..."``); a code the study lacks as is."""
    return "; ".join(f"{c}: {criteria[c]}" if c in criteria else c for c in codes)


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _clean(values: pd.Series) -> pd.Series:
    """Text without surrounding spaces; missing for an empty text."""
    text = values.astype("string").str.strip()
    return text.mask(text.eq(""))


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    # Worked out per distinct value: a few values (sites, methods, codes) over every row.
    return per_distinct(frame[column], _clean)


def _upper_is(frame: pd.DataFrame, column: str, value: str) -> pd.Series:
    """Return ``_text(frame, column).str.upper().eq(value).fillna(False)``, per distinct value."""
    return per_distinct(frame[column], lambda v: _clean(v).str.upper().eq(value).fillna(False))


def _fmt(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float | np.floating):
        return f"{value:g}"
    return str(value)


def _rows(
    adsl: pd.DataFrame, hit: pd.Series, values: pd.Series, detail: Callable[[object], str]
) -> pd.DataFrame:
    """Deviation rows for the subjects in ``hit``; ``detail`` maps a row label of ``adsl`` to the sentence."""
    hit = hit.fillna(False).astype(bool)
    chosen = adsl.loc[hit]
    return pd.DataFrame(
        {
            "USUBJID": chosen["USUBJID"].astype(str),
            "ROW": chosen.index,
            "VALUE": [_fmt(values[i]) for i in chosen.index],
            "DETAIL": [detail(i) for i in chosen.index],
        },
        index=chosen.index,
    )


def _shown(adsl: pd.DataFrame, hit: pd.Series) -> np.ndarray:
    """Rows whose VALUE :func:`_rows` shows: those of ``hit``; every row when row labels repeat.

    A VALUE is looked up by row label, so with unique labels the text of the other rows is never read and
    need not be written (a Python step per subject).
    """
    if adsl.index.is_unique:
        return hit.fillna(False).astype(bool).to_numpy()
    return np.ones(len(adsl), dtype=bool)


def _testosterone(adsl: pd.DataFrame, adtu: pd.DataFrame | None, *, limit: float) -> pd.DataFrame:
    value = _number(adsl, "BTESTO")
    return _rows(
        adsl,
        value >= limit,
        value,
        lambda i: f"Baseline testosterone {_fmt(value[i])} ng/dL, not below {limit:g} ng/dL.",
    )


def _lesions(adsl: pd.DataFrame, adtu: pd.DataFrame | None, *, limit: int) -> pd.DataFrame:
    value = _number(adsl, "NLES")
    return _rows(
        adsl,
        value > limit,
        value,
        lambda i: f"NLES = {_fmt(value[i])} progressing/new lesions, more than {limit}.",
    )


def _no_lesion(adsl: pd.DataFrame, adtu: pd.DataFrame | None, *, limit: int) -> pd.DataFrame:
    value = _number(adsl, "NLES")
    return _rows(
        adsl,
        value < 1,
        value,
        lambda i: (
            f"NLES = 0: no progressing/new lesion, so no oligoprogression to treat (1 to {limit} needed)."
        ),
    )


def _intracranial(adsl: pd.DataFrame, adtu: pd.DataFrame | None) -> pd.DataFrame:
    assert adtu is not None  # guarded by the rule's adtu_columns
    where = _text(adtu, "TULOC")
    brain = where.str.contains(INTRACRANIAL_PATTERN, case=False, regex=True).fillna(False).astype(bool)
    sites = (
        adtu.loc[brain]
        .groupby(adtu.loc[brain, "USUBJID"].astype(str))["TULOC"]
        .agg(lambda v: "; ".join(sorted({str(x).strip() for x in v})))
    )
    value = adsl["USUBJID"].astype(str).map(sites)
    return _rows(
        adsl,
        value.notna(),
        value,
        lambda i: f"Intracranial lesion in ADTU ({value[i]}); the protocol treats extracranial metastases.",
    )


def conventional_lesion_count(adtu: pd.DataFrame) -> pd.Series:
    """Count lesions per subject as the protocol does: conventional imaging only, a local recurrence as one.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesion data with USUBJID and TULOCCAT; TUMETHOD used when present (without it every lesion counts).

    Returns
    -------
    pandas.Series
        Lesion count (int) indexed by USUBJID (str), for subjects with at least one counted lesion.
    """
    lesions = adtu
    if "TUMETHOD" in adtu.columns:
        lesions = adtu.loc[_upper_is(adtu, "TUMETHOD", CONVENTIONAL)]
    ids = lesions["USUBJID"].astype(str)
    local = _upper_is(lesions, "TULOCCAT", LOCAL_RECURRENCE)
    distant = ids[~local].value_counts()
    local_count = ids[local].drop_duplicates().value_counts()
    return distant.add(local_count, fill_value=0).astype(int).rename("N")


def _lesions_adtu(adsl: pd.DataFrame, adtu: pd.DataFrame | None, *, limit: int) -> pd.DataFrame:
    assert adtu is not None  # guarded by the rule's adtu_columns
    counts = conventional_lesion_count(adtu)
    value = adsl["USUBJID"].astype(str).map(counts).astype(float)
    method = "on conventional imaging" if "TUMETHOD" in adtu.columns else "(TUMETHOD absent: all lesions)"
    return _rows(
        adsl,
        value > limit,
        value,
        lambda i: (
            f"{_fmt(value[i])} lesions in ADTU {method}, more than {limit} (local recurrence counted once)."
        ),
    )


def _who(adsl: pd.DataFrame, adtu: pd.DataFrame | None, *, limit: int) -> pd.DataFrame:
    value = _number(adsl, "WHOPS")
    return _rows(
        adsl,
        value > limit,
        value,
        lambda i: f"WHO performance status {_fmt(value[i])}, above {limit}.",
    )


def _age(adsl: pd.DataFrame, adtu: pd.DataFrame | None, *, limit: float) -> pd.DataFrame:
    value = _number(adsl, "AGE")
    return _rows(adsl, value < limit, value, lambda i: f"Age {_fmt(value[i])} years, under {limit:g}.")


def _sex(adsl: pd.DataFrame, adtu: pd.DataFrame | None) -> pd.DataFrame:
    value = _text(adsl, "SEX")
    hit = value.str.upper().isin(FEMALE_CODES).fillna(False).astype(bool)
    return _rows(
        adsl, hit, value, lambda i: f"SEX = {value[i]}: prostate adenocarcinoma implies a male patient."
    )


def _consent_missing(adsl: pd.DataFrame, adtu: pd.DataFrame | None) -> pd.DataFrame:
    value = date_values(adsl, "RFICDT")
    return _rows(
        adsl,
        value.isna(),
        pd.Series("missing", index=adsl.index),
        lambda i: "No informed consent date (RFICDT).",
    )


def _consent_after_registration(adsl: pd.DataFrame, adtu: pd.DataFrame | None) -> pd.DataFrame:
    consent = date_values(adsl, "RFICDT")
    registered = date_values(adsl, "ENRLDT")
    hit = registered < consent
    where = _shown(adsl, hit)
    text = pd.Series(
        [
            f"RFICDT {_fmt(c)}, ENRLDT {_fmt(r)}"
            for c, r in zip(consent[where], registered[where], strict=True)
        ],
        index=adsl.index[where],
    )
    days = (consent - registered).dt.days
    return _rows(adsl, hit, text, lambda i: f"Registered {int(days[i])} day(s) before informed consent.")


def _mdt_before_registration(adsl: pd.DataFrame, adtu: pd.DataFrame | None) -> pd.DataFrame:
    mdt = date_values(adsl, "TRTSDT")
    registered = date_values(adsl, "ENRLDT")
    where = _shown(adsl, mdt < registered)
    text = pd.Series(
        [f"TRTSDT {_fmt(m)}, ENRLDT {_fmt(r)}" for m, r in zip(mdt[where], registered[where], strict=True)],
        index=adsl.index[where],
    )
    days = (registered - mdt).dt.days
    return _rows(
        adsl, mdt < registered, text, lambda i: f"MDT started {int(days[i])} day(s) before registration."
    )


def _received_mdt(adsl: pd.DataFrame) -> pd.Series:
    if "SAFFL" in adsl.columns:
        return flag_yes(adsl, "SAFFL")
    if "TRTSDT" in adsl.columns:
        return date_values(adsl, "TRTSDT").notna()
    return pd.Series(True, index=adsl.index)


def _local_therapy_from_adtu(adsl: pd.DataFrame, adtu: pd.DataFrame) -> pd.Series:
    local = _upper_is(adtu, "TULOCCAT", LOCAL_RECURRENCE)
    treatment = _text(adtu, "MDTLES")
    treated = treatment.notna() & treatment.str.upper().ne("NONE").fillna(False)
    ids = set(adtu.loc[local & treated, "USUBJID"].astype(str))
    return adsl["USUBJID"].astype(str).isin(ids)


def _local_therapy_from_adsl(adsl: pd.DataFrame) -> pd.Series:
    detail = adsl["MDTDETL"].astype("string").fillna("")
    parts = detail.str.split(";").apply(lambda items: {p.strip().upper() for p in items})
    wanted = {t.upper() for t in LOCAL_THERAPY_TYPES}
    return parts.apply(lambda found: bool(found & wanted)).astype(bool)


def _primary_untreated(adsl: pd.DataFrame, adtu: pd.DataFrame | None) -> pd.DataFrame:
    untreated = _upper_is(adsl, "PRIMTRT", "UNTREATED")
    if adtu is not None and {"TULOCCAT", "MDTLES"} <= set(adtu.columns):
        has_local = _local_therapy_from_adtu(adsl, adtu)
        source = "no treated local-recurrence/prostate lesion in ADTU"
    else:
        has_local = _local_therapy_from_adsl(adsl)
        source = f"MDTDETL lists neither {' nor '.join(LOCAL_THERAPY_TYPES)}"
    hit = untreated & _received_mdt(adsl) & ~has_local
    return _rows(
        adsl,
        hit,
        _text(adsl, "PRIMTRT"),
        lambda i: f"Primary tumour untreated and no local therapy recorded ({source}).",
    )


def _systemic_therapy(
    adsl: pd.DataFrame, adtu: pd.DataFrame | None, *, therapies: tuple[str, ...]
) -> pd.DataFrame:
    value = _text(adsl, "SYSTHER")
    allowed = {t.casefold() for t in therapies}
    hit = value.notna() & ~value.str.casefold().isin(allowed).fillna(False)
    return _rows(
        adsl,
        hit,
        value,
        lambda i: f"Systemic therapy {value[i]!s} is not ADT alone or with an allowed agent.",
    )


def _screen_failure_enrolled(
    adsl: pd.DataFrame, adtu: pd.DataFrame | None, *, criteria: dict[str, str]
) -> pd.DataFrame:
    value = _text(adsl, "SCRFCRIT").str.upper()
    return _rows(
        adsl,
        value.notna(),
        value,
        lambda i: f"Enrolled with screen-failure criterion {criteria.get(str(value[i]), 'unrecognised')}.",
    )


def _primary_untreated_needs(trial: TrialData) -> list[str]:
    """Local therapy is read from ADTU (TULOCCAT and MDTLES) or, without them, from ADSL.MDTDETL."""
    adsl, adtu = trial.adsl, trial.adtu
    if "PRIMTRT" not in adsl.columns:
        return []  # named by the rule's ADSL columns
    from_adtu = adtu is not None and {"TULOCCAT", "MDTLES"} <= set(adtu.columns)
    if not from_adtu and "MDTDETL" not in adsl.columns:
        return ["ADTU.TULOCCAT and ADTU.MDTLES, or ADSL.MDTDETL"]
    return []


def _on_enrolled(
    check: Callable[[pd.DataFrame, pd.DataFrame | None], pd.DataFrame], trial: TrialData
) -> pd.DataFrame:
    """Run an eligibility check on the enrolled subjects of ``trial`` and its ADTU."""
    return check(_enrolled(trial.adsl), trial.adtu)


def _rule(
    code: str,
    criterion: str,
    adsl_columns: tuple[str, ...],
    check: Callable[[pd.DataFrame, pd.DataFrame | None], pd.DataFrame],
    adtu_columns: tuple[str, ...] = (),
    condition: Condition | None = None,
) -> Rule:
    """Return an eligibility rule: ``check(enrolled ADSL, ADTU)`` on the ADSL (and ADTU) columns it reads."""
    needs: list[Needs | Condition] = [Needs("adsl", adsl_columns)] if adsl_columns else []
    if adtu_columns:
        needs.append(Needs("adtu", adtu_columns))
    if condition is not None:
        needs.append(condition)
    return Rule(code, criterion, tuple(needs), partial(_on_enrolled, check), dataset="ADSL")


@functools.cache
def eligibility_rules(study: StudyDefinition | None = None) -> tuple[Rule, ...]:
    """Return the eligibility rules of a study, in the order their deviations are listed.

    Parameters
    ----------
    study : StudyDefinition, optional
        The trial's study (``TrialData.study``); MEDCARE's built-in one by default. A threshold the study
        file leaves out (``eligibility.max_lesions`` and so on) drops its rule. A neutral study (another study
        without a study file) keeps only the rules every trial shares: consent before registration,
        treatment after registration, no screen-failure criterion for an enrolled subject.

    Returns
    -------
    tuple of Rule
        The rules; a rule's description is the protocol criterion (the study file's
        ``eligibility.criteria`` texts).
    """
    study = default_study() if study is None else study
    e = study.eligibility
    c = partial(_crit, e.criteria)
    rules: list[Rule] = []
    if e.castrate_testosterone_ng_dl is not None:
        limit_t = e.castrate_testosterone_ng_dl
        rules.append(_rule("TESTO", c("INC02", "EXC01"), ("BTESTO",), partial(_testosterone, limit=limit_t)))
    if e.max_lesions is not None:
        n = e.max_lesions
        rules += [
            _rule("LESIONS", c("INC03", "EXC02"), ("NLES",), partial(_lesions, limit=n)),
            _rule("NO_LESION", c("INC03"), ("NLES",), partial(_no_lesion, limit=n)),
            _rule(
                "LESIONS_ADTU",
                c("INC03", "EXC02"),
                (),
                partial(_lesions_adtu, limit=n),
                adtu_columns=("USUBJID", "TULOCCAT"),
            ),
        ]
    if not study.neutral:
        rules.append(_rule("INTRACRANIAL", c("INC03"), (), _intracranial, adtu_columns=("USUBJID", "TULOC")))
    if e.max_who_ps is not None:
        rules.append(_rule("WHOPS", c("INC06"), ("WHOPS",), partial(_who, limit=e.max_who_ps)))
    if e.min_age is not None:
        rules.append(_rule("AGE", c("INC07"), ("AGE",), partial(_age, limit=e.min_age)))
    if not study.neutral:
        rules.append(_rule("SEX", c("INC01"), ("SEX",), _sex))
    rules += [
        _rule("CONSENT_MISSING", c("INC10"), ("RFICDT",), _consent_missing),
        _rule("CONSENT_AFTER_REG", c("INC10"), ("RFICDT", "ENRLDT"), _consent_after_registration),
        _rule(
            "MDT_BEFORE_REG",
            "Trial procedure: MDT is given after registration",
            ("TRTSDT", "ENRLDT"),
            _mdt_before_registration,
        ),
    ]
    if not study.neutral:
        rules.append(
            _rule(
                "PRIMARY_UNTREATED",
                c("INC05"),
                ("PRIMTRT",),
                _primary_untreated,
                condition=Condition(_primary_untreated_needs),
            )
        )
    if study.systemic_therapies and not study.neutral:
        therapies = study.systemic_therapies
        rules.append(
            _rule("SYSTHER", c("INC04"), ("SYSTHER",), partial(_systemic_therapy, therapies=therapies))
        )
    rules.append(
        _rule(
            "SCREEN_FAILURE_ENROLLED",
            "Enrolled subjects have no screen-failure criterion",
            ("SCRFCRIT",),
            partial(_screen_failure_enrolled, criteria=e.criteria),
        )
    )
    return tuple(rules)


#: MEDCARE's rules (:func:`eligibility_rules` of the built-in study).
RULES: tuple[Rule, ...] = eligibility_rules(default_study())


def _enrolled(adsl: pd.DataFrame) -> pd.DataFrame:
    mask = enrolled_mask(adsl)
    # protocol_deviations passes the enrolled subjects already: no copy of ADSL for each rule.
    return adsl if bool(mask.all()) else adsl.loc[mask]


def protocol_deviations(
    adsl: pd.DataFrame, adtu: pd.DataFrame | None = None, study: StudyDefinition | None = None
) -> pd.DataFrame:
    """List enrolled patients whose data break an eligibility rule of the protocol (possible deviations).

    Rules (RULE code: what is flagged, with MEDCARE's limits; :func:`eligibility_rules` takes them from the
    study file):

    - ``TESTO``: baseline testosterone BTESTO >= 50 ng/dL (castrate level).
    - ``LESIONS``: NLES > 3 progressing/new lesions.
    - ``NO_LESION``: NLES = 0 (no progressing/new lesion: nothing for MDT to treat).
    - ``LESIONS_ADTU``: more than 3 lesions in ADTU on conventional imaging (TUMETHOD ``Conventional``; every
      lesion when TUMETHOD is absent), all local-recurrence rows of a subject counted as one lesion.
    - ``INTRACRANIAL``: an ADTU lesion whose TULOC names the brain, cerebrum, cerebellum, dura or meninges
      (:data:`INTRACRANIAL_PATTERN`); the protocol treats extracranial metastases.
    - ``WHOPS``: WHO performance status > 1.
    - ``AGE``: AGE < 18.
    - ``SEX``: SEX ``F`` (or ``FEMALE``): prostate adenocarcinoma implies a male patient.
    - ``CONSENT_MISSING``: no informed consent date (RFICDT).
    - ``CONSENT_AFTER_REG``: registration date ENRLDT before RFICDT (same day is allowed: dates have no time).
    - ``MDT_BEFORE_REG``: MDT start TRTSDT before ENRLDT.
    - ``PRIMARY_UNTREATED``: PRIMTRT ``Untreated``, MDT received, and no local therapy: no ADTU lesion of
      category ``Local recurrence`` (the prostate) with an MDT other than ``None``; without those ADTU
      columns, ADSL.MDTDETL lists neither ``Conventional RT`` nor ``Salvage prostatectomy``.
    - ``SYSTHER``: ongoing systemic therapy not one of the study's ``systemic_therapies`` (case-insensitive).
    - ``SCREEN_FAILURE_ENROLLED``: an enrolled subject with a screen-failure criterion in SCRFCRIT.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with USUBJID and SITEID.
    adtu : pandas.DataFrame, optional
        Lesion data, for ``LESIONS_ADTU``, ``INTRACRANIAL`` and ``PRIMARY_UNTREATED``.
    study : StudyDefinition, optional
        The study whose rules apply (:func:`eligibility_rules`); MEDCARE's by default.

    Returns
    -------
    pandas.DataFrame
        Columns USUBJID, SITEID, RULE, CRITERION (protocol text), VALUE (the value found, as text), DETAIL;
        one row per subject and rule broken, sorted by USUBJID then rule order. Empty (same columns) when
        none. Rules whose columns are absent are skipped; :func:`rules_not_checked` lists them.

    Raises
    ------
    ValueError
        If ADSL has no USUBJID or SITEID.
    """
    missing = [c for c in ("USUBJID", "SITEID") if c not in adsl.columns]
    if missing:
        raise ValueError(f"ADSL has no column {', '.join(missing)}")
    rules = eligibility_rules(study)
    # The enrolled subjects are chosen once for every rule (each rule chooses them again: a no-op then).
    findings = run_rules(rules, TrialData(adsl=_enrolled(adsl), adtu=adtu)).findings
    if findings.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DEVIATION_COLUMNS})
    criteria = {rule.code: rule.description for rule in rules}
    out = findings.assign(
        SITEID=adsl.loc[findings["ROW"], "SITEID"].astype(str).to_numpy(),
        CRITERION=findings["RULE"].map(criteria),
    )
    return out.loc[:, list(DEVIATION_COLUMNS)]


def rules_not_checked(
    adsl: pd.DataFrame, adtu: pd.DataFrame | None = None, study: StudyDefinition | None = None
) -> pd.DataFrame:
    """List the rules of :func:`protocol_deviations` skipped because their columns are absent.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.
    adtu : pandas.DataFrame, optional
        Lesion data.
    study : StudyDefinition, optional
        The study whose rules apply (:func:`eligibility_rules`); MEDCARE's by default.

    Returns
    -------
    pandas.DataFrame
        Columns RULE, CRITERION, MISSING (the absent dataset or columns, comma separated), in rule order.
        Criteria that no ADaM column records are in :data:`UNCHECKABLE_CRITERIA`, not here.
    """
    skipped = _not_checked(eligibility_rules(study), TrialData(adsl=adsl, adtu=adtu))
    return skipped.rename(columns={"DESCRIPTION": "CRITERION"}).loc[:, list(NOT_CHECKED_COLUMNS)]
