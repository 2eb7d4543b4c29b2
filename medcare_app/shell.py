"""Running a page on its own, without ``dashboard.py``.

Under ``dashboard.py`` the entry script passes the context; a page file run on its own (``streamlit run
pages/overview.py``, ``AppTest.from_file``) draws the sidebar itself.

Every page file ends with::

    if __name__ == "__main__":
        run_standalone(render, DATASETS)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from medcare_app.context import PageContext, page_context


def run_standalone(render: Callable[[PageContext], None], datasets: Sequence[str] = ()) -> None:
    """Draw the shared sidebar and then the page ``render``.

    Parameters
    ----------
    render : callable
        The page's ``render(ctx)`` function.
    datasets : sequence of str, optional
        Datasets the page draws on (lower case); its header warns about their validation problems.
    """
    del datasets  # used once dashboard.py passes the context itself
    render(page_context())
