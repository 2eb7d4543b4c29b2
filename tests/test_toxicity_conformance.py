"""Worst severity per subject and term against R's tables on the conformance data (make_reference.R).

R counts subjects by worst AESEV per term and arm (ADAE arm variable), over SAFFL = "Y" subjects per ADSL arm.
The arm is the same value in ADSL and ADAE for every subject here, so the ADSL column gives the same groups.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import CONFORMANCE

from medcare_metrics import toxicity as tox
from medcare_metrics.loading import load_trial

#: Folder -> ADSL arm column (make_reference.R: slarm).
ARMS = {"cdiscpilot01": "TRT01A", "pharmaverseadam": "ARM"}


@pytest.fixture(scope="module", params=sorted(ARMS))
def loaded(request: pytest.FixtureRequest) -> tuple[str, object]:
    result = load_trial(CONFORMANCE / request.param)
    assert result.trial is not None
    return request.param, result.trial


@pytest.mark.parametrize(("teae", "suffix"), [(False, "all"), (True, "teae")])
def test_worst_severity_matches_r(loaded: tuple[str, object], teae: bool, suffix: str) -> None:
    folder, trial = loaded
    result = tox.toxicity_by_grade(
        trial.adae, trial.adsl, level="term", by=ARMS[folder], options=tox.ToxicityOptions(teae_only=teae)
    )
    assert result.uses_severity
    ref = pd.read_csv(CONFORMANCE / folder / "reference" / f"ae_worst_severity_by_term_arm_{suffix}.csv")
    got = result.counts.rename(columns={"GRADE_LABEL": "worst_severity", "N": "n_subjects"})
    got = got[["AEBODSYS", "AEDECOD", "GROUP", "worst_severity", "n_subjects"]]
    keys = ["AEBODSYS", "AEDECOD", "GROUP", "worst_severity"]
    pd.testing.assert_frame_equal(
        got.sort_values(keys).reset_index(drop=True),
        ref.sort_values(keys).reset_index(drop=True),
        check_dtype=False,
    )


def test_denominators_match_r(loaded: tuple[str, object]) -> None:
    folder, trial = loaded
    result = tox.toxicity_by_grade(trial.adae, trial.adsl, by=ARMS[folder])
    ref = pd.read_csv(CONFORMANCE / folder / "reference" / "ae_denominators.csv")
    assert dict(zip(result.denominators["GROUP"], result.denominators["N"], strict=True)) == dict(
        zip(ref["GROUP"], ref["N_safety"], strict=True)
    )
    assert result.population == 'SAFFL = "Y"'
