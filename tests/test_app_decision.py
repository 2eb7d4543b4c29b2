"""AppTest of the decision-support sections: the Survival page's outlook and the Toxicity page's boundary.

The tiny source (tests/conftest.py::tiny_frames) with AEREL: every adverse event related to MDT. In order
of MDT start: T-01 (no grade >= 3), T-02 (grade 3 cystitis 17 days after MDT: acute), T-03 (none), T-04
(grade 3 proctitis 23 days after MDT: acute); cumulative count 0, 1, 1, 2. MEDCARE's study file: a
Pocock-type boundary for 20% over 18 patients: b_4 = 4, not crossed. The Bayesian beta-binomial boundary
(Beta(1, 1), threshold 0.9) has b_4 = 2 (P(rate > 0.2 | 2 of 4) = P(Bin(5, 0.2) <= 2) = 0.942): crossed at
patient 4, known on T-04's onset, 2023-03-20.
"""

from __future__ import annotations

from pathlib import Path

from conftest import tiny_frames, write_source

from medcare_metrics.loading import load_trial
from medcare_metrics.views.decision import OutlookControls, outlook_view
from medcare_metrics.views.scope import ViewScope


def _source(tmp_path: Path) -> Path:
    frames = tiny_frames()
    frames["adae"]["AEREL"] = "RELATED"
    return write_source(tmp_path / "decision", **frames)


def _texts(at: object) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)  # type: ignore[attr-defined]


def test_outlook_section_renders_and_follows_the_prior_weight(app, tmp_path: Path) -> None:
    source = _source(tmp_path)
    at = app("pages/survival.py", data=source)
    at.run()
    assert not at.exception
    assert "Outlook: chance of beating the benchmark" in [s.value for s in at.subheader]
    headline = next(m.value for m in at.markdown if m.value.startswith("Chance that"))
    # The page shows what the view computes for the same trial (seeded: the same number every run).
    trial = load_trial(source).trial
    assert trial is not None
    scope = ViewScope.of(trial)
    assert headline == outlook_view(scope, OutlookControls("NESTFS")).headline
    assert "A model, not a formal test" in _texts(at)
    sensitivity = next(df.value for df in at.dataframe if "Prior weight (events)" in df.value.columns)
    assert len(sensitivity) == 6  # prior weights 1, 5, 10 x exponential, piecewise

    assert len(at.get("plotly_chart")) == 1  # the simulated medians are drawn on request
    at.toggle(key="outlook_figure").set_value(True).run()
    charts = at.get("plotly_chart")
    assert len(charts) == 2 and "simulated trials" in charts[1].proto.spec

    at.number_input(key="outlook_prior").set_value(40.0).run()
    assert not at.exception
    heavier = next(m.value for m in at.markdown if m.value.startswith("Chance that"))
    assert heavier == outlook_view(scope, OutlookControls("NESTFS", prior_events=40.0)).headline
    assert heavier != headline


def test_monitoring_section_renders_and_follows_the_method(app, tmp_path: Path) -> None:
    at = app("pages/toxicity.py", data=_source(tmp_path))
    at.run()
    assert not at.exception
    assert "Monitoring boundary" in [s.value for s in at.subheader]
    text = _texts(at)
    assert "**Not crossed**: 2 of 4 patients treated so far" in text
    assert "the boundary at 4 is 4" in text
    assert "Pocock-type boundary" in text

    at.selectbox(key="tox_monitor_method").set_value("bayesian").run()
    assert not at.exception
    text = _texts(at)
    assert "**Boundary crossed** at patient 4: 2 of the first 4" in text
    assert "known on 2023-03-20" in text
