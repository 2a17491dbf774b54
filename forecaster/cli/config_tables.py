"""The tables of ``docs/configuration.md``, generated from the schema; a test fails if they drift.

    python -m forecaster.cli.config_tables docs/configuration.md    # rewrite every table

Each table sits between ``<!-- NAME: generated from SOURCE; do not edit -->`` and
``<!-- end of generated NAME -->``: the parameters (from the one parameter table,
:mod:`forecaster.scenario.parameters`), the fields of a state, an alliance and
the interest block (the pydantic models of :mod:`forecaster.scenario.models`),
and those of ``run``, ``mechanisms``, ``output`` and ``cluster`` (the structured
configs of :mod:`forecaster.config.schema`, with the defaults of
``conf/config.yaml``).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from omegaconf import MISSING, OmegaConf
from pydantic import BaseModel

from forecaster.config import CONFIG_MODULE
from forecaster.config.schema import ClusterConf, MechanismsConf, OutputConf, RunConf
from forecaster.scenario import parameters
from forecaster.scenario.models import Alliance, Allowed, Exit, Interest, State


def _shown(value: Any) -> str:
    """A default as YAML writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return f"[{', '.join(map(_shown, value))}]"
    if isinstance(value, dict) and not value:
        return "{}"
    return str(value)


def model_table(model: type[BaseModel], prefix: str = "") -> str:
    """``| field | allowed | default | meaning |`` of a scenario model's fields."""
    rows = ["| field | allowed | default | meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        allowed = next((m.text for m in info.metadata if isinstance(m, Allowed)), "")
        extra = info.json_schema_extra
        needed = isinstance(extra, dict) and extra.get("required")
        if needed:
            default = "required"
        elif info.default_factory is not None:
            default = _shown(info.default_factory())  # type: ignore[call-arg]
        else:
            default = _shown(info.default)
        rows.append(f"| `{prefix}{name}` | {allowed} | {default} | {info.description or ''} |")
    return "\n".join(rows)


def _config_defaults() -> dict[str, Any]:
    """``run``, ``mechanisms`` and ``output`` as ``conf/config.yaml`` sets them."""
    path = resources.files(CONFIG_MODULE).joinpath("config.yaml")
    config: dict[str, Any] = OmegaConf.to_container(OmegaConf.create(path.read_text()))  # type: ignore[assignment]
    return config


def _type_name(annotation: Any) -> str:
    """A field's type as written (``int | None`` reads ``int or null``: a table has no ``|``)."""
    return str(annotation).replace(" | None", " or null")


def config_table(group: str, schema: type) -> str:
    """``| key | type | default | meaning |`` of a structured config's fields."""
    defaults = _config_defaults()[group]
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for f in dataclasses.fields(schema):
        default = _shown(defaults[f.name])
        rows.append(
            f"| `{group}.{f.name}` | {_type_name(f.type)} | {default} | {f.metadata['doc']} |"
        )
    return "\n".join(rows)


def cluster_table() -> str:
    """``| key | read by | type | default | meaning |`` of ``cluster``'s fields."""
    rows = ["| key | read by | type | default | meaning |", "|---|---|---|---|---|"]
    for f in dataclasses.fields(ClusterConf):
        kinds = ", ".join(f"`{k}`" for k in f.metadata["kinds"]) or "every kind"
        if f.default_factory is not dataclasses.MISSING:
            default = _shown(f.default_factory())
        else:
            default = "required" if f.default == MISSING else _shown(f.default)
        rows.append(
            f"| `cluster.{f.name}` | {kinds} | {_type_name(f.type)} | {default} "
            f"| {f.metadata['doc']} |"
        )
    return "\n".join(rows)


#: every generated block: name -> (source, table)
TABLES: dict[str, tuple[str, Callable[[], str]]] = {
    "parameters": ("forecaster/scenario/parameters.py", parameters.markdown_table),
    "state fields": ("forecaster/scenario/models.py", lambda: model_table(State)),
    "alliance fields": (
        "forecaster/scenario/models.py",
        lambda: model_table(Alliance) + "\n" + model_table(Exit, "exit.").split("\n", 2)[2],
    ),
    "interest fields": ("forecaster/scenario/models.py", lambda: model_table(Interest)),
    "run fields": ("forecaster/config/schema.py", lambda: config_table("run", RunConf)),
    "mechanisms fields": (
        "forecaster/config/schema.py",
        lambda: config_table("mechanisms", MechanismsConf),
    ),
    "output fields": ("forecaster/config/schema.py", lambda: config_table("output", OutputConf)),
    "cluster fields": ("forecaster/config/schema.py", cluster_table),
}


def markers(name: str) -> tuple[str, str]:
    source = TABLES[name][0]
    return (
        f"<!-- {name}: generated from {source}; do not edit -->",
        f"<!-- end of generated {name} -->",
    )


def render(text: str) -> str:
    """``text`` (a docs page) with every generated block it holds replaced by the current table."""
    for name, (_, table) in TABLES.items():
        begin, end = markers(name)
        if begin not in text:
            continue
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        text = f"{head}{begin}\n{table()}\n{end}{tail}"
    return text


if __name__ == "__main__":
    page = Path(sys.argv[1])
    page.write_text(render(page.read_text()))
