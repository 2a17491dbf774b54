"""Results layer: counters to an ``xarray.Dataset``, its tables, summary and files."""

import cf_xarray  # noqa: F401  (registers ds.cf: CF-aware selection for users)

from .dataset import config_keys, dim_name, grid_dims, provenance, to_dataset
from .io import config_of, open_results, write_results
from .labels import key_label, outcome_label
from .summary import format_summary
from .tables import headline_table

__all__ = [
    "config_keys",
    "config_of",
    "dim_name",
    "format_summary",
    "grid_dims",
    "headline_table",
    "key_label",
    "open_results",
    "outcome_label",
    "provenance",
    "to_dataset",
    "write_results",
]
