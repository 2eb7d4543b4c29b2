"""The study definition: protocol facts read from a study file (TOML or YAML), MEDCARE's by default.

``from medcare_metrics.study import StudyDefinition, default_study, load_study, resolve_study``.
"""

from __future__ import annotations

from medcare_metrics.study.definition import (
    MEDCARE_STUDY_FILE,
    Assessment,
    Benchmark,
    Eligibility,
    Endpoint,
    StudyDefinition,
    ToxicityRule,
    VisitSchedule,
    default_study,
)
from medcare_metrics.study.load import StudyFileError, load_study
from medcare_metrics.study.neutral import neutral_study
from medcare_metrics.study.resolve import (
    STUDY_ENV,
    attach_study,
    find_study_file,
    is_study,
    resolve_study,
    split_study,
    study_fingerprint_bytes,
    study_stamp_files,
)

__all__ = [
    "MEDCARE_STUDY_FILE",
    "STUDY_ENV",
    "Assessment",
    "Benchmark",
    "Eligibility",
    "Endpoint",
    "StudyDefinition",
    "StudyFileError",
    "ToxicityRule",
    "VisitSchedule",
    "attach_study",
    "default_study",
    "find_study_file",
    "is_study",
    "load_study",
    "neutral_study",
    "resolve_study",
    "split_study",
    "study_fingerprint_bytes",
    "study_stamp_files",
]
