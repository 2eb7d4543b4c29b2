"""Cross-check against lifelines where lifelines and R agree (conformance README lists where they do not).

The estimator is written with numpy for speed and to follow R exactly; lifelines is the independent second
opinion for the point estimate, the at-risk and event counts, the log-log band and the Cox fit (Efron ties).
"""

import numpy as np
import pandas as pd
import pytest
from conftest import CONFORMANCE
from lifelines import CoxPHFitter, KaplanMeierFitter

from medcare_metrics.survival import KMOptions, cox_hazard_ratio, km_table


def _tte(folder: str, paramcd: str) -> pd.DataFrame:
    adtte = pd.read_csv(CONFORMANCE / folder / "adtte.csv", keep_default_na=False, na_values=[""])
    rows = adtte[adtte["PARAMCD"] == paramcd]
    return pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].astype(str),
            "TIME": rows["AVAL"].astype(float),
            "EVENT": rows["CNSR"].astype(int) == 0,
            "GROUP": rows["TRTA"].astype(str) if "TRTA" in rows else "ALL",
        }
    ).reset_index(drop=True)


@pytest.mark.parametrize(("folder", "paramcd"), [("cdiscpilot01", "TTDE"), ("pharmaverseadam", "PFS")])
def test_point_estimate_counts_and_loglog_band_match_lifelines(folder: str, paramcd: str) -> None:
    tte = _tte(folder, paramcd).assign(GROUP="ALL")
    ours = km_table(tte, KMOptions(conf_type="log-log")).set_index("TIME")
    fit = KaplanMeierFitter().fit(tte["TIME"], tte["EVENT"])
    table = fit.event_table.loc[ours.index]  # lifelines adds time 0; compare at our distinct times
    np.testing.assert_array_equal(ours["N_RISK"], table["at_risk"])
    np.testing.assert_array_equal(ours["N_EVENT"], table["observed"])
    np.testing.assert_array_equal(ours["N_CENSOR"], table["censored"])
    np.testing.assert_allclose(ours["SURV"], fit.survival_function_.loc[ours.index].iloc[:, 0], atol=1e-12)
    band = fit.confidence_interval_.loc[ours.index]
    defined = ours["LOWER"].notna().to_numpy()
    np.testing.assert_allclose(ours["LOWER"][defined], band.iloc[:, 0][defined], atol=1e-9)
    np.testing.assert_allclose(ours["UPPER"][defined], band.iloc[:, 1][defined], atol=1e-9)


def test_cox_efron_matches_lifelines_on_cdiscpilot01() -> None:
    tte = _tte("cdiscpilot01", "TTDE")
    two = tte[tte["GROUP"].isin(["Placebo", "Xanomeline High Dose"])].reset_index(drop=True)
    ours = cox_hazard_ratio(two, reference="Placebo")
    frame = pd.DataFrame(
        {"T": two["TIME"], "E": two["EVENT"].astype(int), "X": (two["GROUP"] != "Placebo").astype(float)}
    )
    theirs = CoxPHFitter().fit(frame, duration_col="T", event_col="E")
    assert ours is not None
    assert ours.coef == pytest.approx(float(theirs.params_["X"]), rel=1e-6)
    assert ours.se == pytest.approx(float(theirs.standard_errors_["X"]), rel=1e-5)
