"""The view layer: one function per page (or tab) returning everything the page shows.

A view function takes a :class:`~medcare_metrics.views.scope.ViewScope` (the trial as the sidebar selects
it, with the trial as loaded and the trial settings) and one frozen controls dataclass (the page's widget
values), and returns one frozen result dataclass holding every table, figure input and sentence the page
draws. It calls the statistics modules; a page calls only the view (through
``medcare_app.cache.page_view``), the figure builders of :mod:`medcare_metrics.figures` and the drawing
helpers of :mod:`medcare_app.ui`.

Where a page's widgets need choices taken from the data (endpoints, grouping columns), the view module also
has a ``<page>_choices(scope)`` function, cached the same way, that returns them.

Text for people (captions, notes, formatted numbers) lives in :mod:`medcare_metrics.text`, not in the
statistics modules.

A view returns, or raises :class:`~medcare_metrics.errors.DataUnavailable` when the data cannot give what the
page asks; it is re-exported here because a page may import only the view layer, and shows its message in one
sentence (``medcare_app.ui.unavailable``).
"""

from medcare_metrics.errors import DataUnavailable, MedcareError
from medcare_metrics.views.scope import ViewScope

__all__ = ["DataUnavailable", "MedcareError", "ViewScope"]
