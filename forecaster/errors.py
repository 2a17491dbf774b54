"""The one error type a user sees for a bad scenario or config."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class ConfigError(ValueError):
    """One or more problems in a scenario, each naming the key, the value and what is allowed.

    Attributes
    ----------
    problems : list of str
        One line per problem, in the order found.
    """

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(
            f"invalid configuration ({head}):\n" + "\n".join(f"  - {p}" for p in self.problems)
        )


class Problems:
    """Collects problems so that all of them are reported together."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, key: str, value: object, allowed: str) -> None:
        self.items.append(f"{key} = {value!r}: {allowed}")

    def unknown_keys(self, where: str, data: Mapping, allowed: Iterable[str]) -> None:
        """Record every key of ``data`` (found under ``where``) that is not ``allowed``."""
        allowed = sorted(allowed)
        for extra in sorted(set(data) - set(allowed)):
            self.add(
                f"{where}.{extra}", data[extra], f"unknown key (allowed: {', '.join(allowed)})"
            )

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)
