"""Plotly figure builders: the only place in the package that imports plotly.

One submodule per area (``survival``, ``toxicity``, ``lesions``, ``enrollment``, ``patients``,
``overview``); shared colours and layout in :mod:`medcare_metrics.figures.style`. Builders are named
``<thing>_figure`` and take the tidy frames returned by the analytics modules; they compute nothing
beyond layout.
"""
