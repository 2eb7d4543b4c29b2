"""Synthetic MEDCARE-shaped example trial.

The generator draws a screened population across a few Belgian centres, registers ``patients`` of them and
gives every enrolled patient lesions, metastasis-directed therapy (MDT), adverse events, PSA values and
time-to-event outcomes, following the trial facts in ``shared/trial/MEDCARE.md``:

- screen failures come on top of the enrolled patients (about 25-35 % of the screened), each with the
  eligibility criterion that failed (codes of the study file's ``eligibility.criteria``);
- accrual is spread over ``accrual_months`` (two years by default) whatever the number of patients, so a
  large sample keeps the same calendar window and follow-up and only gets denser;
- PFS is Weibull with a median near 10 months; next-line systemic treatment (NEST) starts a while after
  progression, which puts the NEST-free survival median near 18 months; deaths come late (few OS events);
- adverse events are CTCAE v5 terms that fit the treated sites (pelvic radiotherapy gives GU/GI terms,
  surgery gives wound terms), mostly grade 1-2 with rare grade 3;
- ADSL.MDTTYPE counts conventional radiotherapy (of a local recurrence or an untreated primary) under
  ``"SBRT"``, the radiotherapy category of the study's ``mdt_types``; MDTDETL names it.

Everything is drawn from one ``numpy.random.Generator`` seeded by ``SyntheticOptions.seed``, so a seed always
gives the same trial. The work is done on whole numpy arrays (no per-patient loop over frames), so 10,000
patients take seconds.

The package splits along the datasets: :mod:`~medcare_metrics.synthetic.options` (what to generate, output
formats), :mod:`~medcare_metrics.synthetic.subjects` (ADSL), :mod:`~medcare_metrics.synthetic.lesions`
(ADTU and the MDT summary), :mod:`~medcare_metrics.synthetic.outcomes` (ADTTE),
:mod:`~medcare_metrics.synthetic.adverse_events` (ADAE), :mod:`~medcare_metrics.synthetic.labs` (ADLB),
:mod:`~medcare_metrics.synthetic.trial` (:func:`generate_trial`, which draws them in a fixed order),
:mod:`~medcare_metrics.synthetic.writing` (:func:`write_trial`) and :mod:`~medcare_metrics.synthetic.arrays`
(the array helpers they share).
"""

from __future__ import annotations

from medcare_metrics.synthetic.adverse_events import AE_CATALOGUE
from medcare_metrics.synthetic.options import FORMATS, WORKBOOK_NAME, OutputFormat, SyntheticOptions
from medcare_metrics.synthetic.subjects import SITE_NAMES
from medcare_metrics.synthetic.trial import generate_trial
from medcare_metrics.synthetic.writing import write_trial

__all__ = [
    "AE_CATALOGUE",
    "FORMATS",
    "SITE_NAMES",
    "WORKBOOK_NAME",
    "OutputFormat",
    "SyntheticOptions",
    "generate_trial",
    "write_trial",
]
