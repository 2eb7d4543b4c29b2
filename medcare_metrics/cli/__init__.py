"""Sub-commands of ``python -m medcare_metrics``; each module has ``add_arguments`` and ``run``."""
