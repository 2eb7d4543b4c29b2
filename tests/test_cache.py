"""medcare_app.cache.measure: results are computed once per view and arguments, and placeholders resolve."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pytest

from medcare_app import cache
from medcare_metrics.filters import Filters
from medcare_metrics.loading import example_path

CALLS: list[tuple[object, ...]] = []


def count_rows(frame: object, extra: int = 0) -> int:
    """Module-level function for measure(): records its call, returns the number of rows plus ``extra``."""
    CALLS.append((frame, extra))
    return len(frame) + extra  # type: ignore[arg-type]


@dataclass(frozen=True)
class FakeContext:
    source: str
    fingerprint: str
    filters: Filters = field(default_factory=Filters)
    as_of: date | None = None
    replayed: bool = False


@pytest.fixture
def ctx() -> FakeContext:
    cache.clear()
    CALLS.clear()
    source = str(example_path())
    return FakeContext(source=source, fingerprint=cache.source_fingerprint(source))


def test_dataset_placeholder_resolves_to_the_view(ctx: FakeContext) -> None:
    adsl = cache.view(ctx.source, ctx.fingerprint, Filters(), None).adsl
    assert cache.measure(ctx, count_rows, cache.Dataset("adsl")) == len(adsl)
    assert cache.measure(ctx, count_rows, cache.Dataset("adsl"), extra=3) == len(adsl) + 3


def test_second_call_is_cached_and_new_arguments_recompute(ctx: FakeContext) -> None:
    cache.measure(ctx, count_rows, cache.Dataset("adsl"))
    cache.measure(ctx, count_rows, cache.Dataset("adsl"))
    assert len(CALLS) == 1
    cache.measure(ctx, count_rows, cache.Dataset("adsl"), extra=1)
    assert len(CALLS) == 2


def test_filters_change_the_view_and_whole_ignores_them(ctx: FakeContext) -> None:
    full = cache.view(ctx.source, ctx.fingerprint, Filters(), None).adsl
    site = full["SITEID"].iloc[0]
    filtered = replace(ctx, filters=Filters.from_mapping({"SITEID": [site]}))
    expected = int(full["SITEID"].eq(site).sum())
    assert expected < len(full)  # otherwise the filter would not show anything
    assert cache.measure(filtered, count_rows, cache.Dataset("adsl")) == expected
    assert cache.measure(filtered, count_rows, cache.Dataset("adsl"), whole=True) == len(full)


def adsl_rows(trial: object) -> int:
    """Module-level function for measure(): rows of the trial's ADSL."""
    return len(trial.adsl)  # type: ignore[attr-defined]


def test_trial_placeholder_is_the_view(ctx: FakeContext) -> None:
    trial = cache.view(ctx.source, ctx.fingerprint, Filters(), None)
    assert cache.measure(ctx, adsl_rows, cache.TRIAL) == len(trial.adsl)


def test_as_of_only_when_replayed(ctx: FakeContext) -> None:
    full = cache.view(ctx.source, ctx.fingerprint, Filters(), None).adsl
    first = full["SCRNDT"].min().date()
    early = replace(ctx, as_of=first, replayed=True)
    replayed = cache.view(ctx.source, ctx.fingerprint, Filters(), first).adsl
    assert len(replayed) < len(full)  # one screened subject by the first screening date
    assert cache.measure(early, count_rows, cache.Dataset("adsl")) == len(replayed)
    assert cache.measure(replace(early, replayed=False), count_rows, cache.Dataset("adsl")) == len(full)


def test_lambda_is_refused(ctx: FakeContext) -> None:
    with pytest.raises(ValueError, match="module-level"):
        cache.measure(ctx, lambda frame: 0, cache.Dataset("adsl"))
