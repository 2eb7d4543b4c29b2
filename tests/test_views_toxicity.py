"""The Toxicity view on a tiny trial whose counts are worked out by hand, without Streamlit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_frames, write_source

from medcare_metrics.loading import load_trial
from medcare_metrics.text import toxicity as text
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.toxicity import ALL_SOCS, ToxicityControls, toxicity_choices, toxicity_view

GI = "Gastrointestinal disorders"


def frames() -> dict[str, pd.DataFrame]:
    """tiny_frames with SAFFL, AEREL, TRTEMFL and one ungraded event.

    Safety population T-01..T-04 (N = 4). Worst grade overall: T-01 1 (Fatigue), T-02 3 (Cystitis 3, Diarrhea
    2), T-03 missing (Nausea without grade), T-04 3 (Proctitis, day 157 after MDT start: late).
    """
    out = tiny_frames()
    out["adsl"]["SAFFL"] = ["Y", "Y", "Y", "Y", "N", "N"]
    adae = out["adae"].copy()
    adae.loc[3, "ASTDT"] = "2023-08-01"
    extra = pd.DataFrame(
        {
            "USUBJID": ["T-03"],
            "AEDECOD": ["Nausea"],
            "AEBODSYS": [GI],
            "ATOXGR": [None],
            "ASTDT": ["2022-07-01"],
        }
    )
    adae = pd.concat([adae, extra], ignore_index=True)
    adae["ATOXGR"] = adae["ATOXGR"].astype("Int64")
    adae["AEREL"] = ["RELATED", "RELATED", "NOT RELATED", "RELATED", "NOT RELATED"]
    adae["TRTEMFL"] = "Y"
    out["adae"] = adae
    return out


def scope_of(tmp_path: Path, **datasets: pd.DataFrame) -> ViewScope:
    loaded = load_trial(write_source(tmp_path / "tox", **datasets))
    assert loaded.trial is not None
    return ViewScope.of(loaded.trial)


@pytest.fixture
def scope(tmp_path: Path) -> ViewScope:
    return scope_of(tmp_path, **frames())


def test_choices(scope: ViewScope) -> None:
    choices = toxicity_choices(scope)
    assert choices.has_adae and choices.has_teae
    assert choices.splits[:3] == ("None", "MDT type", "Centre")
    assert choices.acute_window_days == 90


def test_grade_counts_and_sentences(scope: ViewScope) -> None:
    view = toxicity_view(scope, ToxicityControls())
    assert not view.missing_adae and not view.unavailable and not view.severity_note
    assert view.intro.startswith(text.INTRO)
    assert view.intro.endswith(
        'treatment-emergent adverse events only (TRTEMFL = "Y"); no event is left out.'
    )
    assert view.overall is not None
    overall = view.overall.table.iloc[0]
    assert overall["N"] == 4
    assert overall["Any grade"] == "4 (100.0%)"
    assert overall["Grade 1"] == "1 (25.0%)"
    assert overall["Grade >= 3"] == "2 (50.0%)"
    assert overall["Missing grade"] == "1 (25.0%)"
    assert view.overall.figure.value == "PCT"
    assert view.denominator_caption == (
        'Percentages of the safety population (SAFFL = "Y"): N = 4. Treatment-emergent events only.'
    )
    assert view.ctcae_caption.startswith(
        ":material/warning: 1 AE term or grade problem(s)"
    )  # ungraded Nausea
    assert view.tabs == ("Grades", "Grade ≥ 3 patients", "Acute vs late", "Relationship to MDT")
    assert view.group_label is None


def test_high_grade_count_is_the_shared_one(scope: ViewScope) -> None:
    view = toxicity_view(scope, ToxicityControls())
    assert view.high is not None
    count = view.high.count
    # T-02 (Cystitis 3) and T-04 (Proctitis 3) of the 4 patients in the safety population.
    assert (count.n_patients, count.n_population, count.teae_only) == (2, 4, True)
    assert count.population.rule == 'SAFFL = "Y"'
    assert sorted(view.high.patients["USUBJID"]) == ["T-02", "T-04"]
    assert sorted(view.high.events["AEDECOD"]) == ["Cystitis noninfective", "Proctitis"]
    assert view.high.sentence == (
        '**2 of 4 patients** (50.0%) in the safety population (SAFFL = "Y") had at least one Grade ≥ 3 '
        "event; counted: treatment-emergent events."
    )
    assert text.high_grade_count_text(count) == (
        '2 of 4 patients in the safety population (SAFFL = "Y"), treatment-emergent events'
    )
    assert view.high.heading == "Every Grade ≥ 3 event"
    assert view.high.events_caption.startswith("2 event(s)")


def test_soc_drill_down_and_terms(scope: ViewScope) -> None:
    view = toxicity_view(scope, ToxicityControls())
    # GI holds 3 patients (T-02 Diarrhea, T-03 Nausea, T-04 Proctitis): first after "All".
    assert [t.soc for t in view.terms][:2] == [ALL_SOCS, GI]
    assert view.terms[0].n_terms == 5
    gi = view.term_section(GI)
    assert gi.n_terms == 3
    assert sorted(gi.table["AEDECOD"]) == ["Diarrhea", "Nausea", "Proctitis"]
    assert view.term_section("no such SOC").soc == ALL_SOCS
    assert view.terms_download is not None and view.terms_download["AEDECOD"].nunique() == 5


def test_phase_and_relationship(scope: ViewScope) -> None:
    view = toxicity_view(scope, ToxicityControls())
    assert view.phase is not None and view.relationship is not None
    phases = view.phase.overall.table.set_index("GROUP")
    # 90 days: acute T-01 1, T-02 3, T-03 missing; late T-04 3 (day 157).
    assert phases.loc["Acute", "Any grade"] == "3 (75.0%)"
    assert phases.loc["Late", "Grade 3"] == "1 (25.0%)"
    assert "up to 90 days after it" in view.phase.caption
    terms = view.phase.level("Term").table.set_index(["GROUP", "AEDECOD"])
    assert terms.loc[("Late", "Proctitis"), "Grade 3"] == "1 (25.0%)"
    related = view.relationship.overall.table.set_index("GROUP")
    assert related.loc["RELATED", "Grade 3"] == "2 (50.0%)"
    assert related.loc["NOT RELATED", "Grade 2"] == "1 (25.0%)"
    assert view.relationship.caption.startswith("Relationship to MDT as recorded in ADAE.AEREL.")
    wide = toxicity_view(scope, ToxicityControls(acute_window_days=200))
    assert wide.phase is not None
    assert "Late" not in set(wide.phase.overall.table["GROUP"])


def test_split_and_bar_value(scope: ViewScope) -> None:
    view = toxicity_view(scope, ToxicityControls(split="MDT type", value="N"))
    assert view.group_label == "MDT type"
    assert view.overall is not None and view.overall.figure.value == "N"
    table = view.overall.table.set_index("GROUP")
    # SBRT: T-01 (1), T-03 (missing); Surgery: T-02 (3).
    assert table.loc["SBRT", "N"] == 2
    assert table.loc["Surgery", "Grade >= 3"] == "1 (100.0%)"
    assert "SBRT N = 2" in view.denominator_caption


def test_treatment_emergent_filter(tmp_path: Path) -> None:
    data = frames()
    # T-01's grade 1 Fatigue began 2022-01-15, before T-01's MDT start (2022-01-20): not treatment-emergent.
    data["adae"].loc[0, ["ASTDT", "TRTEMFL"]] = ["2022-01-15", "N"]
    scope = scope_of(tmp_path, **data)
    teae = toxicity_view(scope, ToxicityControls())
    assert teae.intro.endswith('left out: 1 event with TRTEMFL not "Y", which began before the MDT start.')
    assert teae.overall is not None and teae.overall.table.iloc[0]["Any grade"] == "3 (75.0%)"
    every = toxicity_view(scope, ToxicityControls(teae_only=False))
    assert every.intro.endswith('including 1 event with TRTEMFL not "Y", which began before the MDT start.')
    assert every.overall is not None and every.overall.table.iloc[0]["Any grade"] == "4 (100.0%)"
    assert every.high is not None and every.high.sentence.endswith("counted: all adverse events.")
    assert not every.denominator_caption.endswith("Treatment-emergent events only.")


def test_without_trtemfl_the_filter_does_not_apply(tmp_path: Path) -> None:
    data = frames()
    data["adae"] = data["adae"].drop(columns="TRTEMFL")
    scope = scope_of(tmp_path, **data)
    assert not toxicity_choices(scope).has_teae
    view = toxicity_view(scope, ToxicityControls(teae_only=True))
    assert "ADAE has no TRTEMFL" in view.intro
    assert view.high is not None and not view.high.count.teae_only
    assert view.high.sentence.endswith("counted: all adverse events (ADAE has no TRTEMFL).")


def test_severity_data(tmp_path: Path) -> None:
    data = frames()
    data["adae"] = (
        data["adae"].drop(columns="ATOXGR").assign(AESEV=["MILD", "SEVERE", "MODERATE", "SEVERE", None])
    )
    view = toxicity_view(scope_of(tmp_path, **data), ToxicityControls())
    assert "AESEV" in view.severity_note and view.severity_note.endswith("not CTCAE grades.")
    assert view.high_label == "SEVERE" and view.definition_caption == ""
    assert view.overall is not None and view.overall.table.iloc[0]["SEVERE"] == "2 (50.0%)"
    assert view.high is not None and "had at least one SEVERE event" in view.high.sentence


def test_without_adae_or_grade_or_aerel(tmp_path: Path) -> None:
    data = frames()
    missing = toxicity_view(scope_of(tmp_path / "a", adsl=data["adsl"]), ToxicityControls())
    assert missing.missing_adae and missing.intro == text.INTRO and missing.overall is None
    assert not toxicity_choices(scope_of(tmp_path / "b", adsl=data["adsl"])).has_adae
    no_rel = toxicity_view(
        scope_of(tmp_path / "c", adsl=data["adsl"], adae=data["adae"].drop(columns="AEREL")),
        ToxicityControls(),
    )
    assert no_rel.relationship is None and no_rel.relationship_unavailable == text.NO_AEREL
