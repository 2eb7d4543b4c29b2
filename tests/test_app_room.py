"""AppTests of the screen in a meeting room (tests/conftest.py::tiny_frames, worked by hand).

Presentation mode, banners, locked settings, the Overview's status sentence and denominators, and filter
values with their enrolled patients.
"""

from __future__ import annotations

from pathlib import Path

from conftest import header, metrics

from medcare_app.room import PRESENT_KEY
from medcare_app.sidebar import SETTINGS_EDIT_KEY, TARGET_KEY, filter_key

PAGE = "pages/overview.py"


def test_presentation_mode_from_the_address(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source, query={"present": "1", "SITEID": "01", "since": "2022-12-31"})
    at.run()
    assert not at.exception
    assert at.sidebar.toggle(key=PRESENT_KEY).value is True
    # No editing widget: no filter, date, setting or page control; the view is still the address's.
    assert not at.sidebar.multiselect and not at.sidebar.number_input and not at.sidebar.date_input
    assert not at.date_input
    line = at.main.markdown[0].value
    assert line == ":material/filter_alt: **2 of 4 patients** · Filters: Centre: UZ Leuven"
    assert metrics(at)["Enrolled"] == "2 of 18"
    # Leaving presentation mode brings the widgets back with the same view; the address drops the flag.
    at.sidebar.toggle(key=PRESENT_KEY).set_value(False).run()
    assert not at.exception
    assert at.sidebar.multiselect(key=filter_key("SITEID")).value == ["01"]
    assert header(at).startswith("**2 of 4 patients** · Filters: Centre: UZ Leuven")
    assert "present" not in at.query_params


def test_banners_for_a_replayed_date_and_a_changed_target(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source, query={"asof": "2022-12-31", "target": "24"})
    at.run()
    assert not at.exception
    infos = " ".join(i.value for i in at.info)
    assert "Replayed as of 2022-12-31, not the data cut-off 2024-01-31" in infos
    warnings = " ".join(w.value for w in at.warning)
    assert "Target changed to 24; study file: 18." in warnings
    assert metrics(at)["Enrolled"] == "3 of 24"


def test_no_banner_at_the_cut_off_with_the_study_settings(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    assert not any("Replayed" in i.value for i in at.info)
    assert not any("changed to" in w.value for w in at.warning)


def test_trial_settings_locked_until_edit_is_ticked(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    assert at.sidebar.number_input(key=TARGET_KEY).disabled
    at.sidebar.checkbox(key=SETTINGS_EDIT_KEY).check().run()
    target = at.sidebar.number_input(key=TARGET_KEY)
    assert not target.disabled
    target.set_value(30).run()
    assert not at.exception
    assert "Target changed to 30; study file: 18." in " ".join(w.value for w in at.warning)
    assert at.query_params["target"] == "30"


def test_overview_status_sentence_and_denominators(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    assert not at.exception
    # No OS in the tiny source: follow-up by reverse KM on NEST-FS days 100 (E), 200 (C), 250 (C), 300 (E):
    # reversed, S = 2/3 after day 200 and 1/3 after day 250 -> median 250 days = 8.2 months.
    status = at.main.markdown[1].value
    assert (
        status
        == "#### Enrolling (4 of 18); follow-up ongoing; 2 of 4 NEST-FS events; median follow-up 8.2 months."
    )
    shown = metrics(at)
    assert shown["Median follow-up"] == "8.2 months"
    for label in ("On study", "NEST-FS events", "PFS events", "Grade ≥ 3 toxicity"):
        assert " of " in shown[label], label
    assert "Of 4 enrolled patients." in " ".join(c.value for c in at.caption)


def test_filter_values_show_their_enrolled_patients(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    sites = at.sidebar.multiselect(key=filter_key("SITEID"))
    assert sites.label == "Centre"
    assert sites.options == ["UZ Leuven (2)", "UZ Gent (2)"]
    lesions = at.sidebar.multiselect(key=filter_key("NLES"))
    assert lesions.label == "Number of lesions"
    # NLES = 5 is only the screen failure T-05's.
    assert lesions.options == ["1 (2)", "2 (1)", "3 (1)", "5 (0, none enrolled)"]
    # The stored value stays the raw one, so addresses keep working.
    sites.set_value(["02"]).run()
    assert at.query_params["SITEID"] == "02"
