"""Median follow-up by reverse Kaplan-Meier against R (tests/fixtures/r/make_reverse_km.R, reverse_km.csv)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from medcare_metrics.survival import KMOptions, time_to_event
from medcare_metrics.survival.followup import followup_endpoint, median_followup, reverse_km_medians

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "r"
SOURCES = {
    "example": FIXTURES / "example_input.csv",
    "cdiscpilot01": HERE / "data" / "conformance" / "cdiscpilot01" / "adtte.csv",
    "pharmaverseadam": HERE / "data" / "conformance" / "pharmaverseadam" / "adtte.csv",
}
EXPECTED = pd.read_csv(FIXTURES / "reverse_km.csv", dtype={"median": float, "lcl": float, "ucl": float})


def _same(ours: float, r: float) -> bool:
    return (math.isnan(ours) and math.isnan(r)) or abs(ours - r) <= 1e-9


@pytest.mark.parametrize(
    "row", EXPECTED.to_dict("records"), ids=lambda r: f"{r['source']}-{r['paramcd']}-{r['conf_type']}"
)
def test_reverse_km_matches_r(row: dict[str, object]) -> None:
    adtte = pd.read_csv(SOURCES[str(row["source"])])
    adtte = adtte.loc[adtte["AVAL"].notna()]
    tte = time_to_event(adtte.drop(columns=["AVALU"], errors="ignore"), str(row["paramcd"]))
    result = median_followup(tte, str(row["paramcd"]), KMOptions(conf_type=str(row["conf_type"])))
    assert result is not None
    assert result.n == row["n"] and result.censored == row["censored"]
    for ours, r in ((result.median, row["median"]), (result.lower, row["lcl"]), (result.upper, row["ucl"])):
        assert _same(ours, float(r)), (ours, r)  # type: ignore[arg-type]


def test_reverse_km_is_not_the_median_of_observed_times() -> None:
    # Four patients: events at 1 and 2 (follow-up would have gone on), censored at 10 and 12 (follow-up ends).
    tte = pd.DataFrame(
        {
            "USUBJID": list("abcd"),
            "TIME": [1.0, 2.0, 10.0, 12.0],
            "EVENT": [True, True, False, False],
            "GROUP": "ALL",
        }
    )
    result = median_followup(tte)
    assert result is not None and result.censored == 2
    # Reversed: the "events" are at 10 (S = 1/2) and 12 (S = 0): R's median is the midpoint 11.
    assert result.median == pytest.approx(11.0)
    assert result.reached
    assert reverse_km_medians(tte)["EVENTS"].tolist() == [2]


def test_empty_and_grouped_frames() -> None:
    assert median_followup(pd.DataFrame(columns=["USUBJID", "TIME", "EVENT", "GROUP"])) is None
    two = pd.DataFrame(
        {"USUBJID": ["a", "b"], "TIME": [1.0, 2.0], "EVENT": [True, False], "GROUP": ["x", "y"]}
    )
    with pytest.raises(ValueError, match="one group"):
        median_followup(two)


def test_followup_endpoint_prefers_os_then_primary() -> None:
    assert followup_endpoint(["NESTFS", "PFS", "OS"], "NESTFS") == "OS"
    assert followup_endpoint(["NESTFS", "PFS"], "NESTFS") == "NESTFS"
    assert followup_endpoint(["TTDE"], None) is None
