"""The whole synthetic trial: every dataset drawn from one seeded random generator, in a fixed order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.model import DATASETS
from medcare_metrics.synthetic.adverse_events import _adae_frame
from medcare_metrics.synthetic.labs import _adlb_frame
from medcare_metrics.synthetic.lesions import _adtu_frame, _lesions, _treatment_summary
from medcare_metrics.synthetic.options import SyntheticOptions
from medcare_metrics.synthetic.outcomes import _adtte_frame, _outcomes
from medcare_metrics.synthetic.subjects import _adsl_frame, _subjects


def generate_trial(options: SyntheticOptions | None = None) -> dict[str, pd.DataFrame]:
    """Generate a synthetic MEDCARE-shaped trial.

    Parameters
    ----------
    options : SyntheticOptions, optional
        What to generate; the defaults give the shipped example (18 enrolled patients, 4 centres).

    Returns
    -------
    dict of str to pandas.DataFrame
        Keys ``adsl``, ``adtte``, ``adae``, ``adtu``, ``adlb``, with the columns of
        ``docs/data-dictionary.md`` in its order. Dates are datetime64[ns]; integer-like columns are nullable
        ``Int64`` (AGE and ADTTE.AVAL, whole numbers, are int64); flags are ``"Y"``/``"N"``.
    """
    opt = options or SyntheticOptions()
    rng = np.random.default_rng(opt.seed)
    subj = _subjects(opt, rng)
    les = _lesions(subj, rng)
    _treatment_summary(subj, les)
    _outcomes(opt, subj, rng)
    datasets = {
        "adsl": _adsl_frame(opt, subj),
        "adtte": _adtte_frame(subj),
        "adae": _adae_frame(subj, rng),
        "adtu": _adtu_frame(subj, les),
        "adlb": _adlb_frame(subj, rng),
    }
    return {name: datasets[name] for name in DATASETS}
