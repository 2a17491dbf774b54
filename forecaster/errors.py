"""The one error type a user sees for a bad scenario or config, and pydantic's errors in its words.

Every problem is one line, ``key = value: what is allowed``. The scenario schema
(:mod:`forecaster.scenario.models`) is pydantic; :func:`problems_of` turns a
``pydantic.ValidationError`` into those lines (dotted keys from pydantic's
``loc``; a "did you mean" for an unknown key). Validators say what is allowed
by raising :func:`problem` (one) or :func:`raise_problems` (several at once).
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Tag, ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

#: the error type of a problem in the house words (its context: ``allowed``, maybe ``shown``)
HOUSE = "house"


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

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def did_you_mean(name: object, options: Iterable[object]) -> str:
    """``"; did you mean 'scale'?"`` for the closest of ``options``, or ``""``."""
    guess = difflib.get_close_matches(str(name), [str(o) for o in options], n=1)
    return f"; did you mean {guess[0]!r}?" if guess else ""


def unknown_key(name: object, allowed: Iterable[object]) -> str:
    """What an unknown key is told: the keys allowed there and the closest of them."""
    allowed = sorted(map(str, allowed))
    return f"unknown key (allowed: {', '.join(allowed)}){did_you_mean(name, allowed)}"


_NOT_SHOWN = object()


def problem(allowed: str, shown: object = _NOT_SHOWN) -> PydanticCustomError:
    """An error for a validator to raise: ``allowed`` is what the message says is allowed.

    ``shown`` replaces the value the message names (the input, by default).
    """
    context: dict[str, Any] = {"allowed": allowed}
    if shown is not _NOT_SHOWN:
        context["shown"] = shown
    return PydanticCustomError(HOUSE, "{allowed}", context)


def raise_problems(
    title: str,
    found: Sequence[tuple[tuple[str | int, ...], object, str]],
    also: ValidationError | None = None,
) -> None:
    """Raise every ``(loc, value, allowed)`` of ``found`` at once (a validator's several
    problems), after the errors of ``also`` when given (both reported together).

    Raised inside a validator, pydantic reports each at ``loc`` below the validated node.
    """
    if not found:
        if also is not None:
            raise also
        return
    details = [_detail(error) for error in also.errors()] if also is not None else []
    details += [
        InitErrorDetails(type=problem(allowed, value), loc=loc, input=value)
        for loc, value, allowed in found
    ]
    raise ValidationError.from_exception_data(title, details)


def _detail(error: ErrorDetails) -> InitErrorDetails:
    """An error pydantic reported, as it can be raised again."""
    if error["type"] == HOUSE:
        custom = PydanticCustomError(HOUSE, "{allowed}", error.get("ctx") or {})
        return InitErrorDetails(type=custom, loc=error["loc"], input=error["input"])
    detail = InitErrorDetails(type=error["type"], loc=error["loc"], input=error["input"])
    if "ctx" in error:
        detail["ctx"] = error["ctx"]
    return detail


def problems_of(err: ValidationError, root: type[BaseModel] | None = None) -> list[str]:
    """Every error of ``err`` as a house line ``key = value: what is allowed``.

    Keys are the dotted ``loc`` (a tagged union's tags, written ``<tag>``, left
    out); ``root``, the model validated, names the keys allowed where a key is
    unknown.
    """
    lines = []
    for error in err.errors(include_url=False):
        loc = error["loc"]
        key = ".".join(str(part) for part in loc if not _is_tag(part))
        context = error.get("ctx") or {}
        value = context.get("shown", error["input"])
        kind = error["type"]
        if kind == HOUSE:
            says = context["allowed"]
        elif kind == "extra_forbidden":
            says = _unknown_key_message(root, loc)
        elif kind == "missing":
            value, says = None, "missing: a value is required"
        else:
            says = _in_words(error)
        lines.append(f"{key} = {value!r}: {says}")
    return lines


def _is_tag(part: object) -> bool:
    return isinstance(part, str) and part.startswith("<") and part.endswith(">")


def _unknown_key_message(root: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    model = _model_at(root, loc[:-1]) if root is not None else None
    if model is None:
        return "unknown key"
    custom = getattr(model, "unknown_key", None)
    if callable(custom):
        return str(custom(loc[-1]))
    return unknown_key(loc[-1], model.model_fields)


def _model_at(node: Any, loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model class reached from ``node`` along ``loc`` (``None`` where there is none)."""
    for part in loc:
        node = _unwrap(node, part)
        if _is_tag(part):
            continue
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(str(part))
            if field is None:
                return None
            node = field.annotation
        elif typing.get_origin(node) in (dict, Mapping):
            node = typing.get_args(node)[1]
        elif typing.get_origin(node) in (list, tuple, Sequence):
            node = typing.get_args(node)[0]
        else:
            return None
    node = _unwrap(node, None)
    return node if isinstance(node, type) and issubclass(node, BaseModel) else None


def _unwrap(node: Any, tag: object) -> Any:
    """``node`` without Annotated, ``| None``, or a tagged union's arms but ``tag``'s."""
    while True:
        origin = typing.get_origin(node)
        if origin is typing.Annotated:
            node = typing.get_args(node)[0]
        elif origin in (typing.Union, types.UnionType):
            arms = [a for a in typing.get_args(node) if a is not type(None)]
            tagged = [a for a in arms if _tag_of(a) == tag]
            models = [a for a in arms if isinstance(_unwrap(a, None), type)]
            chosen = tagged or (models if len(models) == 1 else [])
            if not chosen:
                return node
            node = chosen[0]
        else:
            return node


def _tag_of(arm: Any) -> str | None:
    if typing.get_origin(arm) is typing.Annotated:
        for meta in arm.__metadata__:
            if isinstance(meta, Tag):
                return meta.tag
    return None


#: pydantic's own error types, in the house words
_WORDS = {
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "list_type": "must be a list",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
}


def _in_words(error: Mapping[str, Any]) -> str:
    words = _WORDS.get(error["type"])
    if words is not None:
        return words
    message = str(error["msg"])
    return message[:1].lower() + message[1:]
