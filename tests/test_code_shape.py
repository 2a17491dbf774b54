"""The package's shape: no function in forecaster/ longer than a screenful or two."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "forecaster"
#: the most lines a function of forecaster/ may take (issue 17)
LONGEST = 120


def function_lengths() -> dict[str, int]:
    """``{"module path:function": lines}`` of every function under forecaster/."""
    lengths = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ("kernels", "conf"):  # links to the top-level folders
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                key = f"{relative.as_posix()}:{node.name}"
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                lengths[key] = max(lines, lengths.get(key, 0))
    return lengths


def test_no_function_in_the_package_is_over_120_lines():
    lengths = function_lengths()
    assert len(lengths) > 300  # the walk found the package
    too_long = {name: n for name, n in lengths.items() if n > LONGEST}
    assert too_long == {}
