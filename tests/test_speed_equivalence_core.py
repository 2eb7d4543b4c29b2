"""The faster core analytics (rules, survival, cuts, lesions, checks) give the results they replaced.

Oracles: the row-by-row or column-wide versions as they were before the speed work (issue 14), kept here
verbatim. Each is compared on the example trial and on hand-made variants (odd case and spaces, missing
values, mixed object values, empty frames, repeated row labels). No timing is tested here (see
docs/performance.md and bench/).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from medcare_metrics import cuts, loading, rules
from medcare_metrics.checks import consistency, eligibility
from medcare_metrics.lesions import common as lesion_common
from medcare_metrics.lesions import counts as lesion_counts
from medcare_metrics.lesions import sites as lesion_sites
from medcare_metrics.model import TrialData
from medcare_metrics.rules import DAYS_PER_UNIT, unit_days
from medcare_metrics.subjects import date_values, died_mask
from medcare_metrics.survival import estimation
from medcare_metrics.survival._frame import ALL, MISSING_GROUP
from medcare_metrics.survival.endpoints import param_rows, stratification_columns, time_unit

EXAMPLE = Path(__file__).resolve().parents[1] / "medcare_metrics" / "example_data"


def _same_or_same_error(new: Callable[..., object], old: Callable[..., object], *args: object) -> None:
    """``new(*args)`` and ``old(*args)`` return equal frames or Series, or both raise the same error."""
    try:
        expected = old(*args)
    except Exception as error:  # any error of the old code must be the new code's too
        with pytest.raises(type(error)):
            new(*args)
        return
    got = new(*args)
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(got, expected)  # type: ignore[arg-type]
    else:
        pd.testing.assert_series_equal(got, expected)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def example() -> TrialData:
    trial = loading.load_trial(EXAMPLE).trial
    assert trial is not None
    return trial


#: Text columns as a data source may hold them: odd case and spaces, every kind of missing value, and an
#: object column mixing numbers, booleans, bytes and text.
TEXT_CASES: dict[str, pd.Series] = {
    "object": pd.Series(
        ["Y", " y", "N", None, np.nan, "", "yes", "Y ", "Y"], index=[5, 3, 1, 9, 8, 7, 6, 2, 0]
    ),
    "string": pd.Series(["Y", " y", None, "n", "Y"], dtype="string", name="X"),
    "category": pd.Series(pd.Categorical(["Y", "N", None, "Y"])),
    "numbers": pd.Series([1.0, np.nan, 0.0, 1.0]),
    "bool": pd.Series([True, False, True]),
    "mixed": pd.Series([1, 1.0, True, "Y", b"Y", pd.NA, pd.NaT, "Y"], dtype=object),
    "empty": pd.Series([], dtype=object),
    "units": pd.Series(["days", " MONTHS", "Week", None, "fortnight", "YEAR", "days"]),
    "status": pd.Series(["completed ", "ONGOING", None, "Discontinued", "ONGOING"]),
    "related": pd.Series(["related", "Possibly related ", "unlikely", None, "Y", "related"]),
    "repeated labels": pd.Series(["Y", "N", "Y"], index=[0, 0, 1]),
}


# ----------------------------------------------------------------------------------------------------
# rules: flags, statuses, units and relatedness per distinct value.


def _old_flag_yes(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype("string").str.strip().str.upper().eq("Y").fillna(False).astype(bool)


def _old_off_study_mask(adsl: pd.DataFrame) -> pd.Series:
    if "EOSSTT" not in adsl.columns:
        return pd.Series(False, index=adsl.index)
    status = adsl["EOSSTT"].astype("string").str.strip().str.upper()
    return status.isin(rules.OFF_STUDY_STATUSES).fillna(False).astype(bool)


def _old_days_per_unit(units: pd.Series) -> pd.Series:
    return units.astype("string").str.strip().str.upper().map(DAYS_PER_UNIT).astype(float)


def _old_is_related(aerel: pd.Series) -> pd.Series:
    text = aerel.astype("string").str.strip().str.upper()
    return text.isin(rules.RELATED_AEREL_VALUES).fillna(False).astype(bool)


@pytest.mark.parametrize("name", list(TEXT_CASES))
def test_rules_per_distinct_equal_the_column_wide_versions(name: str) -> None:
    values = TEXT_CASES[name]
    frame = pd.DataFrame({"X": values, "ENRLFL": values, "EOSSTT": values}, index=values.index)
    pd.testing.assert_series_equal(rules.flag_yes(frame, "X"), _old_flag_yes(frame, "X"))
    pd.testing.assert_series_equal(rules.enrolled_mask(frame), _old_flag_yes(frame, "ENRLFL"))
    pd.testing.assert_series_equal(rules.off_study_mask(frame), _old_off_study_mask(frame))
    pd.testing.assert_series_equal(rules.days_per_unit(values), _old_days_per_unit(values))
    pd.testing.assert_series_equal(rules.is_related(values), _old_is_related(values))


def test_per_distinct_falls_back_where_equal_values_print_differently() -> None:
    values = pd.Series([1, 1.0, True, None], dtype=object)

    def text(v: pd.Series) -> pd.Series:
        return v.astype("string")

    pd.testing.assert_series_equal(rules.per_distinct(values, text), text(values))


# ----------------------------------------------------------------------------------------------------
# survival: the analysis frame and the number of groups of each grouping column.


def _old_group_labels(values: pd.Series) -> tuple[pd.Series, list[str]]:
    present = values.dropna()
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric:
        as_float = present.astype(float)
        integral = bool(np.all(np.equal(np.mod(as_float, 1), 0)))
        order = sorted(pd.unique(as_float))
        fmt = (lambda v: str(int(v))) if integral else (lambda v: f"{v:g}")
        mapping = {v: fmt(v) for v in order}
        labels = values.map(lambda v: mapping[float(v)] if pd.notna(v) else MISSING_GROUP)
        levels = [mapping[v] for v in order]
    else:
        labels = values.map(lambda v: str(v) if pd.notna(v) else MISSING_GROUP)
        levels = sorted({str(v) for v in present})
    if values.isna().any():
        levels.append(MISSING_GROUP)
    return labels.astype(object), levels


def _old_time_to_event(
    adtte: pd.DataFrame,
    paramcd: str,
    adsl: pd.DataFrame | None = None,
    by: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    rows = param_rows(adtte, paramcd)
    if unit is None:
        time_unit(adtte, paramcd)
        times = rows["AVAL"].to_numpy(dtype=float)
    else:
        src_units = rows["AVALU"] if "AVALU" in rows.columns else pd.Series("DAYS", index=rows.index)
        factors = src_units.fillna("DAYS").map(unit_days).to_numpy(float)
        times = rows["AVAL"].to_numpy(dtype=float) * factors / unit_days(unit)
    out = pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].astype(str).to_numpy(),
            "TIME": times,
            "EVENT": rules.is_event(rows["CNSR"]).to_numpy(dtype=bool),
        }
    )
    if by is None:
        out["GROUP"] = ALL
        levels = [ALL]
    else:
        if by in rows.columns:
            values = rows[by].reset_index(drop=True)
        elif adsl is not None and by in adsl.columns:
            subjects = adsl.drop_duplicates("USUBJID")
            lookup = pd.Series(subjects[by].array, index=subjects["USUBJID"].astype(str).to_numpy())
            values = out["USUBJID"].map(lookup).reset_index(drop=True)
        else:
            where = "ADTTE or ADSL" if adsl is not None else "ADTTE (no ADSL given)"
            raise ValueError(f"column {by!r} not found in {where}")
        labels, levels = _old_group_labels(values)
        out["GROUP"] = labels.to_numpy()
    rank = {g: i for i, g in enumerate(levels)}
    out = out.assign(_rank=out["GROUP"].map(rank)).sort_values(["_rank", "USUBJID"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


GROUP_VALUES: dict[str, pd.Series] = {
    "text": pd.Series(["b", "a", None, "b", "Missing"]),
    "whole numbers": pd.Series([2.0, 10.0, np.nan, 2.0, -0.0]),
    "decimals alike": pd.Series([1.0000001, 1.0000002, 0.5, np.nan]),
    "Int64": pd.Series([3, None, 1, 3], dtype="Int64"),
    "bool": pd.Series([True, False, True]),
    "category": pd.Series(pd.Categorical(["x", None, "y"])),
    "dates": pd.Series(pd.to_datetime(["2024-01-02", None, "2023-05-06"])),
    "mixed objects": pd.Series([1, 1.0, True, "a", None], dtype=object),
    "empty": pd.Series([], dtype=object),
}


@pytest.mark.parametrize("name", list(GROUP_VALUES))
def test_group_labels_equal_the_labels_per_row(name: str) -> None:
    values = GROUP_VALUES[name]
    labels, levels = estimation._group_labels(values)
    old_labels, old_levels = _old_group_labels(values)
    pd.testing.assert_series_equal(labels, old_labels)
    assert levels == old_levels


def _adtte_variants(trial: TrialData) -> dict[str, TrialData]:
    """The example and versions with odd or missing units, a grouping column in ADTTE and odd groups."""
    adtte, adsl = trial.adtte, trial.adsl
    assert adtte is not None
    odd_units = adtte.copy()
    odd_units["AVALU"] = np.resize(np.array(["days", " Days", None, "DAY"], dtype=object), len(adtte))
    odd_units["ARM"] = np.resize(np.array(["B", "A", None], dtype=object), len(adtte))
    odd_groups = adsl.copy()
    odd_groups["MDTTYPE"] = np.resize(np.array(["SBRT", None, "Missing", "sbrt"], dtype=object), len(adsl))
    odd_groups["WHOPS"] = pd.array(np.resize([0, 1, None], len(adsl)), dtype="Int64")
    shuffled = adtte.sample(frac=1.0, random_state=3)
    return {
        "as loaded": trial,
        "odd units, ARM in ADTTE": dataclasses.replace(trial, adtte=odd_units),
        "odd groups": dataclasses.replace(trial, adsl=odd_groups),
        "shuffled rows": dataclasses.replace(trial, adtte=shuffled),
    }


def test_time_to_event_equals_the_frame_it_replaced(example: TrialData) -> None:
    for name, trial in _adtte_variants(example).items():
        assert trial.adtte is not None
        for code, by, unit in (
            ("NESTFS", None, "MONTHS"),
            ("NESTFS", "MDTTYPE", "DAYS"),
            ("OS", "WHOPS", "MONTHS"),
            ("NESTFS", "ARM", "WEEKS"),
        ):
            expected = _old_time_to_event(trial.adtte, code, trial.adsl, by, unit)
            got = estimation.time_to_event(trial.adtte, code, trial.adsl, by, unit)
            pd.testing.assert_frame_equal(got, expected, obj=f"{name} {code} {by} {unit}")
        columns = [*stratification_columns(trial.adsl), "ARM"]
        old_counts = tuple(
            int(
                _old_time_to_event(trial.adtte, "PFS", trial.adsl, c, "DAYS")["GROUP"]
                .loc[lambda g: g != MISSING_GROUP]
                .nunique()
            )
            for c in columns
        )
        assert estimation.group_counts(trial.adtte, "PFS", trial.adsl, columns) == old_counts, name


def test_time_to_event_raises_as_before(example: TrialData) -> None:
    adtte = example.adtte
    assert adtte is not None
    unknown = adtte.assign(
        AVALU=np.resize(np.array(["fortnights", "DAYS", "moons", "DAYS"], dtype=object), len(adtte))
    )
    for call in (
        lambda f: f(unknown, "NESTFS", example.adsl, None, "MONTHS"),
        lambda f: f(adtte, "NESTFS", example.adsl, "NOPE", "MONTHS"),
        lambda f: f(adtte, "NESTFS", None, "MDTTYPE", "MONTHS"),
        lambda f: f(adtte, "XX", example.adsl, None, "MONTHS"),
    ):
        with pytest.raises(ValueError) as old:
            call(_old_time_to_event)
        with pytest.raises(ValueError) as new:
            call(estimation.time_to_event)
        assert str(new.value) == str(old.value)
    with pytest.raises(ValueError, match="'NOPE' not found"):
        estimation.group_counts(adtte, "NESTFS", example.adsl, ["NOPE"])


# ----------------------------------------------------------------------------------------------------
# cuts: the cut-off, the AE onset and the ADTTE replay.


def _old_data_cutoff(trial: TrialData) -> pd.Timestamp | None:
    if "DCUTDT" not in trial.adsl.columns:
        return None
    dates = pd.to_datetime(trial.adsl["DCUTDT"], errors="coerce").dropna()
    if dates.empty:
        return None
    counts = dates.value_counts()
    cut = counts[counts == counts.max()].index.max()
    return pd.Timestamp(cut).normalize()


def _old_ae_onset(adae: pd.DataFrame, adsl: pd.DataFrame) -> pd.Series:
    onset = date_values(adae, "ASTDT")
    if "ASTDY" in adae.columns and "TRTSDT" in adsl.columns:
        trtsdt = adae["USUBJID"].map(adsl.drop_duplicates("USUBJID").set_index("USUBJID")["TRTSDT"])
        study_day = pd.to_numeric(adae["ASTDY"], errors="coerce").astype(float)
        offset = pd.to_timedelta(study_day.where(study_day < 0, study_day - 1), unit="D")
        onset = onset.fillna(pd.to_datetime(trtsdt) + offset)
    return onset


def _old_replay_adtte(
    adtte: pd.DataFrame, adsl: pd.DataFrame, when: pd.Timestamp
) -> tuple[pd.DataFrame, list[str]]:
    notes: list[str] = []
    keep_ids = set(adsl.loc[rules.enrolled_mask(adsl), "USUBJID"])
    out = adtte.loc[adtte["USUBJID"].isin(keep_ids)].copy()
    start = date_values(out, "STARTDT")
    out = out.loc[~(start > when)].copy()
    start = date_values(out, "STARTDT")
    units = (
        out["AVALU"].astype("string").str.upper().str.strip()
        if "AVALU" in out.columns
        else pd.Series("DAYS", index=out.index, dtype="string")
    )
    factor = rules.days_per_unit(units)
    unknown_units = sorted(set(units[factor.isna() & units.notna()]))
    if unknown_units:
        notes.append(f"As-of replay: ADTTE AVALU {', '.join(unknown_units)} not understood; read as DAYS.")
    factor = factor.fillna(1.0)
    aval = pd.to_numeric(out["AVAL"], errors="coerce")
    adt = date_values(out, "ADT")
    offset = cuts._day_count_offset(out, aval * factor, start, adt)
    implied = start + pd.to_timedelta(aval * factor - offset, unit="D").round("D")
    end = adt.fillna(implied)
    unplaced = end.isna()
    if unplaced.any():
        notes.append(
            f"As-of replay: {int(unplaced.sum())} ADTTE row(s) without ADT or STARTDT kept unchanged "
            "(their date cannot be placed before or after the as-of date)."
        )
    cut = end > when
    if cut.any():
        days_after = (end[cut] - when).dt.days.astype(float)
        from_start = ((when - start[cut]).dt.days.astype(float) + offset[cut]) / factor[cut]
        shifted = aval[cut] - days_after / factor[cut]
        new_aval = from_start.where(start[cut].notna(), shifted).clip(lower=0.0)
        out["AVAL"] = aval
        out.loc[cut, "AVAL"] = new_aval
        out.loc[cut, "CNSR"] = 1
        out.loc[cut, "ADT"] = when
        if "EVNTDESC" in out.columns:
            out.loc[cut, "EVNTDESC"] = np.nan
        if "CNSDTDSC" not in out.columns:
            out["CNSDTDSC"] = pd.Series(np.nan, index=out.index, dtype=object)
        out.loc[cut, "CNSDTDSC"] = cuts.AS_OF_CENSOR_TEXT
    return out.reset_index(drop=True), notes


def test_data_cutoff_equals_the_parsing_version(example: TrialData) -> None:
    adsl = example.adsl
    variants = {
        "as loaded": adsl,
        "text dates": adsl.assign(DCUTDT=adsl["DCUTDT"].dt.strftime("%Y-%m-%d")),
        "two cut-offs": adsl.assign(
            DCUTDT=np.resize(pd.to_datetime(["2024-01-01", "2024-02-01"]), len(adsl))
        ),
        "empty": adsl.assign(DCUTDT=pd.NaT),
        "absent": adsl.drop(columns="DCUTDT"),
    }
    for name, frame in variants.items():
        trial = dataclasses.replace(example, adsl=frame)
        assert cuts.data_cutoff(trial) == _old_data_cutoff(trial), name


def _replay_variants(trial: TrialData) -> dict[str, TrialData]:
    adtte, adae = trial.adtte, trial.adae
    assert adtte is not None and adae is not None
    holes = adtte.copy()
    holes.loc[holes.index[::3], "ADT"] = pd.NaT  # the end date follows from STARTDT and AVAL
    holes.loc[holes.index[1::5], "STARTDT"] = pd.NaT
    holes["AVALU"] = np.resize(np.array(["Days", "days ", None, "weeks"], dtype=object), len(holes))
    holes.loc[holes.index[::7], "AVALU"] = "fortnights"
    no_onset = adae.copy()
    no_onset.loc[no_onset.index[::2], "ASTDT"] = pd.NaT  # the onset follows from TRTSDT and ASTDY
    far = adae.assign(ASTDY=pd.array(np.resize([1, -3, 40_000], len(adae)), dtype="Int64"))
    return {
        "as loaded": trial,
        "dates and units missing": dataclasses.replace(trial, adtte=holes, adae=no_onset),
        "study days too large to add safely": dataclasses.replace(trial, adae=far),
        "no ADTTE rows": dataclasses.replace(trial, adtte=adtte.iloc[0:0]),
    }


@pytest.mark.parametrize("when", ["2023-06-30", "2024-03-15"])
def test_replay_equals_the_version_it_replaced(example: TrialData, when: str) -> None:
    day = pd.Timestamp(when)
    for name, trial in _replay_variants(example).items():
        assert trial.adtte is not None and trial.adae is not None
        adsl, _ = cuts._replay_adsl(trial.adsl, day)
        got, notes = cuts._replay_adtte(trial.adtte, adsl, day)
        expected, old_notes = _old_replay_adtte(trial.adtte, adsl, day)
        pd.testing.assert_frame_equal(got, expected, obj=name)
        assert notes == old_notes
        pd.testing.assert_series_equal(
            cuts._ae_onset(trial.adae, trial.adsl), _old_ae_onset(trial.adae, trial.adsl), obj=name
        )


# ----------------------------------------------------------------------------------------------------
# lesions: the enrolled patients and lesions, the site patterns.


def _old_enrolled_patients(adsl: pd.DataFrame | None) -> pd.DataFrame | None:
    if adsl is None:
        return None
    return adsl.loc[rules.enrolled_mask(adsl)].drop_duplicates("USUBJID")


def _old_enrolled_lesions(adtu: pd.DataFrame, adsl: pd.DataFrame | None) -> pd.DataFrame:
    out = adtu.copy()
    patients = _old_enrolled_patients(adsl)
    if patients is not None:
        out = out.loc[out["USUBJID"].isin(patients["USUBJID"])]
    for col in ("TULOC", "TULOCCAT", "TUMETHOD", "MDTLES"):
        if col in out.columns:
            out[col] = out[col].astype(object).where(out[col].notna(), lesion_common.NOT_RECORDED)
    return out.reset_index(drop=True)


def _old_patterns(lesions: pd.DataFrame, ids: list[str], categories: tuple[str, ...]) -> pd.Series:
    order = {v: i for i, v in enumerate(lesion_common.ordered(lesions["TULOCCAT"], categories))}
    cats = lesions.groupby("USUBJID")["TULOCCAT"].agg(
        lambda s: " + ".join(sorted(set(s), key=lambda c: order[c]))
    )
    return cats.reindex(ids).fillna(lesion_sites.NO_LESION)


def _lesion_variants(trial: TrialData) -> dict[str, tuple[pd.DataFrame, pd.DataFrame | None]]:
    adtu, adsl = trial.adtu, trial.adsl
    assert adtu is not None
    twice = pd.concat([adsl, adsl.iloc[:3]], ignore_index=True)  # repeated subjects: the first row counts
    twice.loc[len(adsl) :, "MDTTYPE"] = "Other"
    odd = adsl.assign(ENRLFL=np.resize(np.array([" y", "Y", "n", None], dtype=object), len(adsl)))
    holes = adtu.copy()
    holes.loc[holes.index[::4], "TULOCCAT"] = None
    holes.loc[holes.index[::5], "USUBJID"] = None
    return {
        "as loaded": (adtu, adsl),
        "no ADSL": (adtu, None),
        "repeated ADSL subjects": (adtu, twice),
        "odd ENRLFL": (adtu, odd),
        "lesion holes": (holes, adsl),
        "no ENRLFL": (adtu, adsl.drop(columns="ENRLFL")),
        "no lesions": (adtu.iloc[0:0], adsl),
    }


def test_lesion_selection_and_patterns_equal_the_versions_they_replaced(example: TrialData) -> None:
    categories = lesion_common.LesionOptions().site_categories
    for name, (adtu, adsl) in _lesion_variants(example).items():
        expected = _old_enrolled_patients(adsl)
        got = lesion_common.enrolled_patients(adsl)
        if expected is None:
            assert got is None
        else:
            assert got is not None
            pd.testing.assert_frame_equal(got, expected, obj=name)
            pd.testing.assert_series_equal(lesion_common.enrolled_ids(adsl), expected["USUBJID"], obj=name)
        lesions = lesion_common.enrolled_lesions(adtu, adsl)
        pd.testing.assert_frame_equal(lesions, _old_enrolled_lesions(adtu, adsl), obj=name)
        ids = sorted({str(s) for s in lesions["USUBJID"].dropna()} | {"NOBODY"})
        unfiltered = lesion_common.enrolled_lesions(adtu, None)  # a missing USUBJID kept
        many = lesions.assign(TULOCCAT=[f"Site {i}" for i in range(len(lesions))])  # too many for the bits
        for raw in (lesions, unfiltered, many):
            pd.testing.assert_series_equal(
                lesion_sites._patterns(raw, ids, categories), _old_patterns(raw, ids, categories), obj=name
            )
        if len(lesions):
            missing = lesions.assign(TULOCCAT=lesions["TULOCCAT"].where(lesions.index % 3 > 0))
            _same_or_same_error(lesion_sites._patterns, _old_patterns, missing, ids, categories)
        pd.testing.assert_frame_equal(
            lesion_counts.per_patient(lesions, adsl, lesion_common.LesionOptions()),
            lesion_counts.lesions_per_patient(adtu, adsl),
            obj=name,
        )


# ----------------------------------------------------------------------------------------------------
# checks: the OS rows, the death record and the rules that loop over subjects.


def _old_paramcd(adtte: pd.DataFrame) -> pd.Series:
    return adtte["PARAMCD"].astype("string").str.strip().str.upper()


def _old_death_record(adsl: pd.DataFrame) -> pd.Series:
    ids = adsl["USUBJID"].astype(str)
    parts = pd.Series("", index=adsl.index)
    if "DTHFL" in adsl.columns:
        parts = "DTHFL " + adsl["DTHFL"].map(consistency._text)
    if "DTHDT" in adsl.columns:
        dthdt = date_values(adsl, "DTHDT")
        when = dthdt.map(lambda d: "no DTHDT" if pd.isna(d) else f"DTHDT {d:%Y-%m-%d}")
        parts = (parts + ", " + when).str.lstrip(", ") if "DTHFL" in adsl.columns else when
    return pd.Series(parts.to_numpy(), index=ids)


def _old_subject_rules(trial: TrialData) -> dict[str, list[tuple[str, str]]]:
    """USUBJID and DETAIL of the three OS rules, looping over every OS row as before."""
    os_rows = trial.adtte.loc[_old_paramcd(trial.adtte).eq("OS").fillna(False).astype(bool)]  # type: ignore[union-attr]
    event = rules.is_event(os_rows["CNSR"])
    died = pd.Series(died_mask(trial.adsl).to_numpy(), index=trial.adsl["USUBJID"].astype(str))
    record = _old_death_record(trial.adsl)
    adt = date_values(os_rows, "ADT")
    not_dead, censored_dead, dates = [], [], []
    for i in os_rows.index[event]:
        subject = str(os_rows.at[i, "USUBJID"])
        if subject in died.index and not bool(died[subject]):
            when = "" if pd.isna(adt[i]) else f" on {adt[i]:%Y-%m-%d}"
            not_dead.append(
                (subject, f"OS event (CNSR 0){when}, but ADSL records no death ({record[subject]}).")
            )
    censored = ~event & pd.to_numeric(os_rows["CNSR"], errors="coerce").notna()
    for i in os_rows.index[censored]:
        subject = str(os_rows.at[i, "USUBJID"])
        if bool(died.get(subject, False)):
            when = "" if pd.isna(adt[i]) else f" on {adt[i]:%Y-%m-%d}"
            censored_dead.append(
                (subject, f"ADSL records a death ({record[subject]}), but OS is censored{when}.")
            )
    dthdt = pd.Series(date_values(trial.adsl, "DTHDT").to_numpy(), index=trial.adsl["USUBJID"].astype(str))
    for i in os_rows.index[event]:
        subject = str(os_rows.at[i, "USUBJID"])
        death = dthdt.get(subject, pd.NaT)
        if not (pd.isna(death) or pd.isna(adt[i]) or death == adt[i]):
            dates.append((subject, f"{abs((adt[i] - death).days)} days"))
    return {"OS_EVENT_NOT_DEAD": not_dead, "DEAD_OS_CENSORED": censored_dead, "DEATH_DATE_OS": dates}


def _check_variants(trial: TrialData) -> dict[str, TrialData]:
    adsl, adtte = trial.adsl, trial.adtte
    assert adtte is not None
    contradicting = adsl.copy()
    # Swap deaths: the dead become alive and some alive dead, with odd flags and a shifted date.
    contradicting["DTHFL"] = np.resize(np.array(["n", " Y", None, "N", "y"], dtype=object), len(adsl))
    contradicting["DTHDT"] = contradicting["DTHDT"].fillna(pd.Timestamp("2024-05-01"))
    contradicting.loc[contradicting.index[::4], "DTHDT"] = pd.NaT
    codes = adtte.assign(PARAMCD=adtte["PARAMCD"].map({"OS": " os", "PFS": "PFS", "NESTFS": None}))
    relabelled = dataclasses.replace(
        trial, adsl=contradicting.set_axis(contradicting.index + 100), adtte=codes.set_axis(codes.index * 2)
    )
    return {
        "as loaded": trial,
        "contradictions": dataclasses.replace(trial, adsl=contradicting),
        "odd codes, other row labels": relabelled,
        "repeated row labels": dataclasses.replace(
            trial, adsl=contradicting, adtte=adtte.set_axis(np.resize([0, 1, 2], len(adtte)))
        ),
    }


def test_consistency_rules_equal_the_loops_they_replaced(example: TrialData) -> None:
    for name, trial in _check_variants(example).items():
        assert trial.adtte is not None
        pd.testing.assert_series_equal(consistency._paramcd(trial.adtte), _old_paramcd(trial.adtte), obj=name)
        pd.testing.assert_series_equal(
            consistency._is_os(trial.adtte), _old_paramcd(trial.adtte).eq("OS"), obj=name
        )
        pd.testing.assert_series_equal(
            consistency._death_record(trial.adsl), _old_death_record(trial.adsl), obj=name
        )
        if not trial.adtte.index.is_unique:
            continue  # the old loops read rows by label: with repeated labels only the new fallback runs
        expected = _old_subject_rules(trial)
        found = consistency.consistency_problems(trial)
        for rule, rows in expected.items():
            got = found.loc[found["RULE"] == rule]
            assert sorted(got["USUBJID"]) == sorted(s for s, _ in rows), (name, rule)
            for (subject, detail), text in zip(
                sorted(rows), got.sort_values("USUBJID")["DETAIL"], strict=True
            ):
                assert detail in text, (name, rule, subject)
        assert sum(len(r) for r in expected.values()) > 0 or name == "as loaded"


def _old_text(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column].astype("string").str.strip()
    return values.mask(values.eq(""))


def _old_consent_after_registration(adsl: pd.DataFrame, adtu: pd.DataFrame | None) -> pd.DataFrame:
    consent = date_values(adsl, "RFICDT")
    registered = date_values(adsl, "ENRLDT")
    hit = registered < consent
    text = pd.Series(
        [
            f"RFICDT {eligibility._fmt(c)}, ENRLDT {eligibility._fmt(r)}"
            for c, r in zip(consent, registered, strict=True)
        ],
        index=adsl.index,
    )
    days = (consent - registered).dt.days
    return eligibility._rows(
        adsl, hit, text, lambda i: f"Registered {int(days[i])} day(s) before informed consent."
    )


def _old_mdt_before_registration(adsl: pd.DataFrame, adtu: pd.DataFrame | None) -> pd.DataFrame:
    mdt = date_values(adsl, "TRTSDT")
    registered = date_values(adsl, "ENRLDT")
    text = pd.Series(
        [
            f"TRTSDT {eligibility._fmt(m)}, ENRLDT {eligibility._fmt(r)}"
            for m, r in zip(mdt, registered, strict=True)
        ],
        index=adsl.index,
    )
    days = (registered - mdt).dt.days
    return eligibility._rows(
        adsl, mdt < registered, text, lambda i: f"MDT started {int(days[i])} day(s) before registration."
    )


def _old_protocol_deviations(adsl: pd.DataFrame, adtu: pd.DataFrame | None) -> pd.DataFrame:
    """The old body: every rule chose the enrolled subjects of the whole ADSL itself."""
    found = eligibility.run_rules(eligibility.RULES, TrialData(adsl=adsl, adtu=adtu)).findings
    if found.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in eligibility.DEVIATION_COLUMNS})
    criteria = {rule.code: rule.description for rule in eligibility.RULES}
    out = found.assign(
        SITEID=adsl.loc[found["ROW"], "SITEID"].astype(str).to_numpy(),
        CRITERION=found["RULE"].map(criteria),
    )
    return out.loc[:, list(eligibility.DEVIATION_COLUMNS)]


def test_eligibility_text_and_deviations_equal_the_versions_they_replaced(example: TrialData) -> None:
    adsl, adtu = example.adsl, example.adtu
    assert adtu is not None
    odd = adsl.assign(
        SEX=np.resize(np.array(["M", " f", "", None, "Female"], dtype=object), len(adsl)),
        PRIMTRT=np.resize(np.array(["untreated ", "Prostatectomy", None], dtype=object), len(adsl)),
        RFICDT=adsl["RFICDT"].where(adsl.index % 3 != 0, pd.Timestamp("2030-01-01")),
        TRTSDT=adsl["TRTSDT"].where(adsl.index % 4 != 0, pd.Timestamp("2000-01-01")),
    )
    for frame in (adsl, odd):
        for column in ("SEX", "PRIMTRT", "SYSTHER", "SCRFCRIT"):
            pd.testing.assert_series_equal(eligibility._text(frame, column), _old_text(frame, column))
    for column in ("TULOC", "TUMETHOD", "TULOCCAT", "MDTLES"):
        pd.testing.assert_series_equal(eligibility._text(adtu, column), _old_text(adtu, column))
    for frame in (adsl, odd, odd.drop(columns="ENRLFL"), odd.set_axis(np.resize([0, 1], len(odd)))):
        for new, old in (
            (eligibility._consent_after_registration, _old_consent_after_registration),
            (eligibility._mdt_before_registration, _old_mdt_before_registration),
        ):
            _same_or_same_error(new, old, frame, adtu)
        if frame.index.is_unique and frame is not adsl:  # SITEID is looked up by row label, as before
            pd.testing.assert_frame_equal(
                eligibility.protocol_deviations(frame, adtu), _old_protocol_deviations(frame, adtu)
            )
