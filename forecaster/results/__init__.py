"""Results layer: counters to an ``xarray.Dataset``, its summary, and its files."""

from .dataset import provenance, to_dataset
from .io import config_of, open_results, write_results
from .summary import format_summary

__all__ = [
    "config_of",
    "format_summary",
    "open_results",
    "provenance",
    "to_dataset",
    "write_results",
]
