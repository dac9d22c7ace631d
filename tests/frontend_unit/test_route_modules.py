"""The route modules share their helpers through frontend/ (actions, deps, forms, web), not
through each other (issue 12): no route module imports from a sibling route module, and no
route signature spells out `Depends(...)` for the logged-in user — it names an alias from
frontend.deps (CurrentUser, or one made by signed_in_as)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROUTES = sorted((Path(__file__).resolve().parents[2] / "frontend" / "routes").glob("*.py"))


@pytest.mark.parametrize("module", ROUTES, ids=lambda path: path.stem)
def test_a_route_module_imports_nothing_from_its_siblings(module: Path):
    tree = ast.parse(module.read_text())
    siblings = [node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("frontend.routes")]
    assert siblings == []


@pytest.mark.parametrize("module", ROUTES, ids=lambda path: path.stem)
def test_the_logged_in_user_comes_from_an_alias(module: Path):
    tree = ast.parse(module.read_text())
    spelled_out = [
        f"{node.name}({argument.arg})" for node in ast.walk(tree) if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
        for argument, default in zip(node.args.args[::-1], node.args.defaults[::-1])
        if isinstance(default, ast.Call) and getattr(default.func, "id", "") == "Depends"
    ]
    assert spelled_out == []
