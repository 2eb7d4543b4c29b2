"""Layer rules of README "Code layout and layer rules", checked by machine.

The packages' rules are import-linter contracts in pyproject.toml (``lint-imports``); they run here too. The
pages and dashboard.py are scripts, not a package, so their rule is checked on their syntax trees.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

#: What a page (or dashboard.py) may import from medcare_metrics: the view layer, figures and texts.
PAGE_ALLOWED = ("medcare_metrics.views", "medcare_metrics.figures", "medcare_metrics.text")


def test_pages_hold_no_statistics_or_cache_internals() -> None:
    """A page draws: it calls the view through ``cache.page_view`` and never the old per-measure cache."""
    for path in sorted((REPO / "pages").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "cache.page_view(" in source, path.name
        assert "session_state" not in source, f"{path.name} reads widget state directly"
        assert "def render(ctx: PageContext) -> None:" in source, path.name


def _scripts() -> list[Path]:
    return [*sorted((REPO / "pages").rglob("*.py")), REPO / "dashboard.py"]


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, module)`` for every absolute import.

    ``from pkg import b`` gives ``pkg.b`` (b may be a module of a top-level package);
    ``from pkg.mod import b`` gives ``pkg.mod``.
    """
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if "." in node.module:
                out.append((node.lineno, node.module))
            else:
                out += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return out


def _allowed_for_a_page(module: str) -> bool:
    if module != "medcare_metrics" and not module.startswith("medcare_metrics."):
        return True
    return any(module == a or module.startswith(a + ".") for a in PAGE_ALLOWED)


def page_rule_violations() -> list[str]:
    """``file:line module`` for every medcare_metrics import of a page outside the allowed layers."""
    found = []
    for path in _scripts():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in _imported_modules(tree):
            if not _allowed_for_a_page(module):
                found.append(f"{path.relative_to(REPO)}:{line} {module}")
    return found


def test_the_page_rule_check_sees_what_it_should() -> None:
    tree = ast.parse(
        "import medcare_metrics.survival as sv\n"
        "from medcare_metrics import loading, views\n"
        "from medcare_metrics.figures.survival import km_figure\n"
        "from medcare_metrics.text import labels\n"
        "from medcare_app.ui import page_header\n"
        "import pandas as pd\n"
    )
    bad = [m for _, m in _imported_modules(tree) if not _allowed_for_a_page(m)]
    assert bad == ["medcare_metrics.survival", "medcare_metrics.loading"]
    assert len(_scripts()) > 1 and all(p.is_file() for p in _scripts())


def test_pages_import_only_views_figures_and_texts_of_medcare_metrics() -> None:
    violations = page_rule_violations()
    assert not violations, "pages may import only " + ", ".join(PAGE_ALLOWED) + ":\n" + "\n".join(violations)


def test_import_linter_contracts_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    from importlinter.api import read_configuration
    from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

    config = str(REPO / "pyproject.toml")
    names = {c["name"] for c in read_configuration(config)["contracts_options"]}
    assert len(names) == 6, names  # streamlit, plotly, app layer, statistics, views above text, figures
    code = lint_imports(config_filename=config, no_cache=True, no_logo=True)
    assert code == EXIT_STATUS_SUCCESS, capsys.readouterr().out
