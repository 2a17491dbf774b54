"""Scenario layer: a validated specification compiled into the flat arrays the kernels read."""

from .compile import GROUPS, PARAMETER_DOMAINS, Scenario, compile_scenario

__all__ = ["GROUPS", "PARAMETER_DOMAINS", "Scenario", "compile_scenario"]
