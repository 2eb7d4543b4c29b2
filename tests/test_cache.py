"""medcare_app.cache: one view result per view and controls, and a fingerprint that follows the bytes."""

from __future__ import annotations

import gc
import os
import shutil
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from conftest import open_page

from medcare_app import cache
from medcare_metrics.filters import Filters
from medcare_metrics.loading import example_path
from medcare_metrics.protocol import DEFAULT_SETTINGS, TrialSettings
from medcare_metrics.views.scope import ViewScope

CALLS: list[tuple[ViewScope, object]] = []


@dataclass(frozen=True)
class Controls:
    extra: int = 0


def adsl_rows(scope: ViewScope, controls: Controls) -> int:
    """A module-level view: records its call, returns ADSL rows of the selection plus ``extra``."""
    CALLS.append((scope, controls))
    return len(scope.trial.adsl) + controls.extra


def scope_of(scope: ViewScope) -> ViewScope:
    """A view without controls: returns the scope it was given."""
    return scope


@dataclass(frozen=True)
class FakeContext:
    source: str
    fingerprint: str
    filters: Filters = field(default_factory=Filters)
    as_of: date | None = None
    cutoff: date | None = None
    settings: TrialSettings = DEFAULT_SETTINGS


@pytest.fixture
def ctx() -> FakeContext:
    cache.clear()
    CALLS.clear()
    source = str(example_path())
    return FakeContext(source=source, fingerprint=cache.source_fingerprint(source))


def test_second_call_is_cached_and_new_controls_recompute(ctx: FakeContext) -> None:
    n = len(cache.view(ctx.source, ctx.fingerprint, Filters(), None).adsl)
    assert cache.page_view(ctx, adsl_rows, Controls()) == n
    assert cache.page_view(ctx, adsl_rows, Controls()) == n
    assert len(CALLS) == 1
    assert cache.page_view(ctx, adsl_rows, Controls(extra=2)) == n + 2
    assert len(CALLS) == 2


def test_filters_select_and_unfiltered_keeps_everyone(ctx: FakeContext) -> None:
    full = cache.view(ctx.source, ctx.fingerprint, Filters(), None).adsl
    site = full["SITEID"].iloc[0]
    filtered = replace(ctx, filters=Filters.from_mapping({"SITEID": [site]}))
    scope = cache.page_view(filtered, scope_of)
    assert len(scope.trial.adsl) == int(full["SITEID"].eq(site).sum()) < len(full)
    assert len(scope.unfiltered.adsl) == len(full)
    assert len(scope.full.adsl) == len(full)
    assert len(scope.delivered.adsl) == len(scope.trial.adsl)


def test_replay_only_before_the_cutoff(ctx: FakeContext) -> None:
    full = cache.view(ctx.source, ctx.fingerprint, Filters(), None).adsl
    first = full["SCRNDT"].min().date()
    cutoff = full["DCUTDT"].max().date()
    early = cache.page_view(replace(ctx, as_of=first, cutoff=cutoff), scope_of)
    assert early.replayed
    assert len(early.trial.adsl) < len(full)
    assert len(early.delivered.adsl) == len(full)  # data checks see the data as delivered
    at_cutoff = cache.page_view(replace(ctx, as_of=cutoff, cutoff=cutoff), scope_of)
    assert not at_cutoff.replayed
    assert len(at_cutoff.trial.adsl) == len(full)


def test_settings_are_part_of_the_key(ctx: FakeContext) -> None:
    scope = cache.page_view(replace(ctx, settings=TrialSettings(target_enrollment=24)), scope_of)
    assert scope.settings.target_enrollment == 24
    assert cache.page_view(ctx, scope_of).settings.target_enrollment == DEFAULT_SETTINGS.target_enrollment


def test_lambda_is_refused(ctx: FakeContext) -> None:
    with pytest.raises(ValueError, match="module-level"):
        cache.page_view(ctx, lambda scope: 0)


def test_fingerprint_follows_a_same_size_edit_with_its_time_restored(tmp_path: Path) -> None:
    source = tmp_path / "cut"
    shutil.copytree(example_path(), source)
    cache.clear()
    before = cache.source_fingerprint(str(source))
    adsl = source / "adsl.csv"
    info = adsl.stat()
    data = adsl.read_bytes()
    # Same size: one digit of an age changed; then the modification time is put back.
    i = data.index(b",82,")
    adsl.write_bytes(data[:i] + b",83," + data[i + 4 :])
    os.utime(adsl, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert adsl.stat().st_size == info.st_size and adsl.stat().st_mtime_ns == info.st_mtime_ns
    after = cache.source_fingerprint(str(source))
    assert after != before


def bars(frame: pd.DataFrame, title: str = "") -> go.Figure:
    """A module-level figure builder: records its call."""
    BUILT.append(title)
    return go.Figure(go.Bar(x=frame["x"], y=frame["y"]), layout={"title": title})


BUILT: list[str] = []


def test_figure_is_built_once_per_input_objects_and_footer() -> None:
    cache.clear()
    BUILT.clear()
    frame = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    first = cache.figure(bars, (frame,), {"title": "Grades"}, "footer 1")
    # The same frame object and an equal title text made anew: the figure built before.
    assert cache.figure(bars, (frame,), {"title": "".join(["Gra", "des"])}, "footer 1") is first
    assert BUILT == ["Grades"]
    assert "footer 1" in str(first.layout.annotations[-1].text)
    # Another footer, another title or an equal but new frame: built again.
    assert cache.figure(bars, (frame,), {"title": "Grades"}, "footer 2") is not first
    assert cache.figure(bars, (frame,), {"title": "Other"}, "footer 1") is not first
    assert cache.figure(bars, (frame.copy(),), {"title": "Grades"}, "footer 1") is not first
    assert len(BUILT) == 4
    # Arguments made anew on each run, keyed by what they come from.
    again = cache.figure(bars, (frame.copy(),), {}, "f", derived_from=(frame, 2))
    assert cache.figure(bars, (frame.copy(),), {}, "f", derived_from=(frame, 2)) is again
    assert cache.figure(bars, (frame.copy(),), {}, "f", derived_from=(frame, 3)) is not again
    with pytest.raises(ValueError, match="module-level"):
        cache.figure(lambda f: go.Figure(), (frame,), {}, "f")


def test_a_rerun_draws_every_page_the_same(app) -> None:
    """Views and figures are shared between reruns: nothing drawing them may change them."""
    at = app("dashboard.py")
    at.run()

    def drawn() -> tuple[list[str], list[str], list[str]]:
        charts = [chart.proto.spec for chart in at.get("plotly_chart")]
        tables = [frame.value.to_csv() for frame in at.dataframe]
        texts = [block.value for block in [*at.main.markdown, *at.main.caption]]
        return charts, tables, texts

    for page in ("overview", "enrollment", "patients", "survival", "lesions", "toxicity", "data_quality"):
        open_page(at, page)
        at.run()
        first = drawn()
        at.run()
        assert not at.exception
        assert first[0] or first[1] or len(first[2]) > 3, page
        assert drawn() == first, page


def test_store_keeps_the_newest_views_within_its_budget() -> None:
    store = cache._Store(budget=100, entries=3)
    for key, size in (("a", 40), ("b", 40), ("c", 40)):
        store.put(key, key.upper(), size)
    # 120 bytes > 100: the least recently used one ("a") went.
    assert store.get("a") is cache._MISSING and store.get("b") == "B" and store.get("c") == "C"
    store.get("b")  # used: "c" is now the oldest
    store.put("d", "D", 30)
    assert store.get("c") is cache._MISSING and store.get("b") == "B"
    store.put("huge", "H", 10**9)  # larger than the budget: kept alone, as the newest
    assert store.get("huge") == "H" and store.get("b") is cache._MISSING and store.get("d") is cache._MISSING
    for key in "wxyz":
        store.put(key, key, 0)
    assert store.get("w") is cache._MISSING and store.get("z") == "z"  # at most 3 entries


def test_a_session_keeps_its_views_when_the_store_drops_them(app, monkeypatch: pytest.MonkeyPatch) -> None:
    from medcare_app.sidebar import filter_key

    made: list[object] = []
    real = cache.apply_filters

    def counting(trial: object, filters: Filters) -> object:
        made.append(filters)
        return real(trial, filters)

    monkeypatch.setattr(cache, "VIEW_BUDGET", 1)  # every filtered view is dropped by the next one
    monkeypatch.setattr(cache, "apply_filters", counting)
    at = app("dashboard.py")
    at.run()
    key = filter_key("SITEID")
    centres = ["01", "02"]
    at.multiselect(key=key).set_value(centres[:1])
    at.run()
    assert len(made) == 1
    at.run()
    at.run()
    assert len(made) == 1 and not at.exception  # the session's reruns reuse the view it drew
    at.multiselect(key=key).set_value(centres[1:2])
    at.run()
    at.multiselect(key=key).set_value(centres[:1])
    at.run()
    assert len(made) == 3  # two runs later, the first view was neither the store's nor the session's


def test_the_entry_script_freezes_the_imports_but_not_the_data(
    app, tiny_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imported objects leave the collector's sight (it runs after each script run); data read later stay."""
    from medcare_app.context import resolve_source

    gc.unfreeze()  # as in a new process: this run freezes
    monkeypatch.setattr(cache, "_frozen", False)
    at = app("dashboard.py", data=tiny_source)
    at.run()
    assert not at.exception
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # plotly, pandas, pandera, ... and the app's own modules
    cache.freeze_imports()
    assert gc.get_freeze_count() == frozen  # once per process
    # The trial read by the run is still walked by the collector, so a dropped view is freed.
    path = resolve_source().path
    trial = cache.load(path, cache.source_fingerprint(path)).trial
    assert trial is not None
    assert any(obj is trial.adsl for obj in gc.get_objects())
