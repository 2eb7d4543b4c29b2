"""The project's own errors: what a view or a statistics function raises when the data cannot give a measure.

Pages catch :class:`DataUnavailable` and say its message in one sentence instead of a traceback; any other
exception out of a view is a bug. The property tests (``tests/test_properties.py``) hold every view to this.
"""

from __future__ import annotations

__all__ = ["DataUnavailable", "MedcareError"]


class MedcareError(Exception):
    """Base of the errors MEDCARE Monitor raises on purpose (as opposed to a bug)."""


class DataUnavailable(MedcareError, ValueError):
    """A measure that cannot be computed from these data; the message says why in one sentence.

    A :class:`ValueError` too, so that callers written before it existed (``except ValueError``) keep
    working. Raise it for a limit of the data (a dataset, column, row or date that is absent), never for a
    programming error such as an unknown option name: that stays a plain :class:`ValueError`.
    """
