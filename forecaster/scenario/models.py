"""The scenario schema: ``portfolio``, ``threat``, ``fiscal`` and ``political`` as pydantic models.

A model parameter is a number or a distribution ``{dist: family, ...}`` whose
draws must stay in the parameter's range; the models of the three parameter
groups are made from the one table, :mod:`.parameters`. States and alliances
declare their fields (type, range, default, meaning: ``docs/configuration.md``'s
tables are generated from them); the cross-references between them (members,
leaders, targets, interest pairs) are small validators. A validated
:class:`Spec` is what :func:`~forecaster.scenario.compile_scenario` turns into
arrays; :func:`forecaster.errors.problems_of` turns a ``ValidationError`` into
the house lines, ``key = value: what is allowed``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    ModelWrapValidatorHandler,
    PlainValidator,
    Tag,
    TypeAdapter,
    ValidationError,
    create_model,
    model_validator,
)

from forecaster.errors import did_you_mean, problem, raise_problems
from forecaster.kernels import layout
from forecaster.kernels.samplers import FAMILIES

from . import distributions
from .parameters import PARAMETERS, Range

GROUPS = ("threat", "fiscal", "political")
OBLIGATIONS = {"defense": layout.OBLIGATION_DEFENSE, "consultation": layout.OBLIGATION_CONSULTATION}
DECISIONS = {"consensus": layout.DECISION_CONSENSUS, "unilateral": layout.DECISION_UNILATERAL}
#: military institutionalisation tiers (ATOP's ``milinst``, Leeds & Anac 2005)
TIERS = {"low": 0, "moderate": 1, "high": 2}
#: (code, (p0, p1, p2)): a parameter as the kernels read it
Encoded = tuple[int, tuple[float, float, float]]
#: the default of a required field: its own check then says what is missing
#: (``validate_default``), in the words it uses for a bad value
ABSENT: Any = None


def required(description: str) -> Any:
    """A required field: no value is ``ABSENT``, which its own check turns down."""
    return Field(ABSENT, description=description, json_schema_extra={"required": True})


@dataclass(frozen=True)
class Allowed:
    """What a field accepts, in the words of the docs' tables (``Annotated`` metadata)."""

    text: str


class _Model(BaseModel):
    """A mapping of known keys: an unknown key is a problem, and so is a value not a mapping."""

    model_config = ConfigDict(extra="forbid", validate_default=True, frozen=True)
    #: what a value that is not a mapping is told
    mapping_says: ClassVar[str] = "must be a mapping"

    @model_validator(mode="before")
    @classmethod
    def _a_mapping(cls, data: Any) -> Any:
        if isinstance(data, (cls, Mapping)):
            return data
        raise problem(cls.mapping_says)


# ---------------------------------------------------------------- numbers and options
def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(low: float, high: float, says: str, bad: str | None = None) -> Callable[[Any], float]:
    """A check of a finite number in [low, high]: ``must be {says}`` when it is not."""

    def check(value: Any) -> float:
        if not _is_number(value):
            raise problem(bad or f"must be a number {says}")
        if not low <= value <= high:
            raise problem(bad or f"must be {says}")
        return value  # as given (an int stays one in messages; arrays hold floats)

    return check


def _option(options: Iterable[str]) -> Callable[[Any], str]:
    """A check of one of ``options`` (with the closest when it is not)."""
    options = tuple(options)
    says = " or ".join(repr(o) for o in options)

    def check(value: Any) -> str:
        if value not in options:
            raise problem(f"must be {says}{did_you_mean(value, options)}")
        return str(value)

    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise problem("must be true or false")
    return value


def _mapping_or_empty(says: str) -> Callable[[Any], Any]:
    """``None`` as ``{}``; anything else that is no mapping is told ``says``."""

    def check(value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise problem(says)
        return value

    return check


Unit = Annotated[float, PlainValidator(_number(0.0, 1.0, "in [0, 1]")), Allowed("[0, 1]")]
Weight = Annotated[float, PlainValidator(_number(0.0, math.inf, ">= 0")), Allowed(">= 0")]
Years = Annotated[float, PlainValidator(_number(0.0, math.inf, ">= 0 (years)")), Allowed(">= 0")]


# ---------------------------------------------------------------- distributions
#: the parameters of a family that must be > 0
_POSITIVE = {"sd", "sigma", "median", "a", "b", "shape", "scale"}


class Distribution(_Model):
    """A distribution ``{dist: family, ...}``: one model per family of ``samplers.FAMILIES``."""

    dist: str

    def encode(self) -> Encoded:
        code, names = FAMILIES[self.dist]
        values = [getattr(self, name) for name in names] + [0.0] * (3 - len(names))
        return code, (values[0], values[1], values[2])

    @classmethod
    def unknown_key(cls, name: object) -> str:
        family = cls.model_fields["dist"].default
        names = ", ".join(FAMILIES[family][1])
        return f"is not a parameter of {family} (parameters: {names})"


def _family_parameter(family: str, name: str) -> Any:
    needs = f"missing: {family} needs {', '.join(FAMILIES[family][1])}"

    def check(value: Any) -> float:
        if value is None:
            raise problem(needs)
        if not _is_number(value):
            raise problem("must be a finite number")
        if name in _POSITIVE and not value > 0:
            raise problem("must be > 0")
        return float(value)

    return Annotated[float, PlainValidator(check)]


def _uniform_bounds(d: Any) -> Any:
    if not d.low < d.high:
        raise problem("uniform needs low < high")
    return d


def _triangular_bounds(d: Any) -> Any:
    if not (d.low <= d.mode <= d.high and d.low < d.high):
        raise problem("triangular needs low <= mode <= high and low < high")
    return d


_FAMILY_CHECKS: dict[str, Callable[[Any], Any]] = {
    "uniform": _uniform_bounds,
    "triangular": _triangular_bounds,
}


def _family_model(family: str) -> type[Distribution]:
    names = FAMILIES[family][1]
    fields: dict[str, Any] = {"dist": (Literal[family], family)}
    fields.update({name: (_family_parameter(family, name), None) for name in names})
    validators: dict[str, Any] = {}
    if family in _FAMILY_CHECKS:
        check = _FAMILY_CHECKS[family]
        validators["bounds"] = model_validator(mode="after")(lambda self, c=check: c(self))
    return create_model(
        family.capitalize(), __base__=Distribution, __validators__=validators, **fields
    )


FAMILY_MODELS: dict[str, type[Distribution]] = {f: _family_model(f) for f in FAMILIES}


def _tag(value: Any) -> str:
    """The arm of a parameter's union that ``value`` takes."""
    if _is_number(value):
        return "<number>"
    if isinstance(value, Distribution):
        return f"<{value.dist}>"
    if isinstance(value, Mapping) and value.get("dist") in FAMILIES:
        return f"<{value['dist']}>"
    if value is None:
        return "<none>"
    return "<invalid>"


def _missing_parameter(value: Any) -> Any:
    raise problem("missing: every model parameter needs a value or distribution")


def _invalid(value: Any) -> Any:
    if isinstance(value, Mapping):
        family = value.get("dist")
        says = f"must be one of {', '.join(FAMILIES)}{did_you_mean(family, FAMILIES)}"
        raise_problems("distribution", [(("dist",), family, says)])
    raise problem("must be a number or a distribution {dist: family, ...}")


def encode(value: float | Distribution) -> Encoded:
    """A validated parameter as the kernels read it: ``(code, (p0, p1, p2))``."""
    if isinstance(value, Distribution):
        return value.encode()
    return FAMILIES["fixed"][0], (value, 0.0, 0.0)


def _within(domain: Range) -> Callable[[Any], Any]:
    """A check that every draw of a parameter stays in ``domain``."""
    low, high, allowed = domain

    def check(value: Any) -> Any:
        if value is None:
            return value
        code, params = encode(value)
        lo, hi = distributions.support(code, params)
        if lo < low or hi > high:
            fixed = not isinstance(value, Distribution) or value.dist == "fixed"
            shown = params[0] if fixed else f"{value.dist} over [{lo:g}, {hi:g}]"
            bounded = "" if fixed else "; choose a family bounded to that range"
            raise problem(f"draws must be {allowed}{bounded}", shown)
        return value

    return check


def parameter(domain: Range, optional: bool = False) -> Any:
    """The type of a parameter: a number or a distribution whose draws stay in ``domain``.

    ``optional``: ``None`` too (a state's own growth or support, else the shared draw).
    """
    arms: list[Any] = [Annotated[float, Tag("<number>")]]
    arms += [Annotated[m, Tag(f"<{f}>")] for f, m in FAMILY_MODELS.items()]
    arms.append(Annotated[Any, PlainValidator(_invalid), Tag("<invalid>")])
    arms.append(
        Annotated[None, Tag("<none>")]
        if optional
        else Annotated[Any, PlainValidator(_missing_parameter), Tag("<none>")]
    )
    text = "number or distribution" + (" (optional)" if optional else "")
    return Annotated[
        Union[tuple(arms)],  # noqa: UP007 (a union built at run time)
        Discriminator(_tag),
        AfterValidator(_within(domain)),
        Allowed(text),
    ]


#: a lone distribution or number, checked with no range (the property tests')
ANY_PARAMETER: TypeAdapter[Any] = TypeAdapter(parameter((-math.inf, math.inf, "a real number")))


# ---------------------------------------------------------------- the parameter groups
class ParameterGroup(_Model):
    """``threat``, ``fiscal``, ``political``: every parameter of the one table, in its group."""

    mapping_says = "missing: a mapping is required"


def _group_model(name: str, prefix: str, base: type[_Model] = ParameterGroup) -> type[_Model]:
    fields: dict[str, Any] = {}
    nested: set[str] = set()
    for p in PARAMETERS:
        if not p.key.startswith(prefix + "."):
            continue
        rest = p.key[len(prefix) + 1 :]
        if "." in rest:
            nested.add(rest.split(".")[0])
        else:
            fields[rest] = (parameter(p.range), None)
    for sub in sorted(nested):
        fields[sub] = (_group_model(sub.capitalize(), f"{prefix}.{sub}", Coefficients), None)
    return create_model(name, __base__=base, **fields)


class Coefficients(_Model):
    """A nested block of parameters (``political.honour``)."""

    mapping_says = "must be a mapping of coefficients"


GROUP_MODELS: dict[str, type[_Model]] = {g: _group_model(g.capitalize(), g) for g in GROUPS}
Threat, Fiscal, Political = (GROUP_MODELS[g] for g in GROUPS)


def value_at(group: BaseModel, key: str) -> Any:
    """The validated value of a dotted key below a group (``honour.intercept``)."""
    node: Any = group
    for part in key.split("."):
        node = getattr(node, part)
    return node


# ---------------------------------------------------------------- the portfolio
_DOMAIN = {p.key: p.range for p in PARAMETERS}


def _gdp(value: Any) -> float:
    if not _is_number(value) or not value > 0:
        raise problem("must be a positive number (USD bn)")
    return float(value)


def _region(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise problem("must be a region name")
    return value


def _targets_mapping(value: Any) -> Any:
    if value is None or isinstance(value, Mapping):
        return value
    raise problem("must be {STATE: weight >= 0, ...} (an adversary's targets)")


def _members(value: Any) -> list[Any]:
    if not isinstance(value, list | tuple) or not value:
        raise problem("must be a list of state names")
    for name in value:
        if not isinstance(name, str):
            raise problem("must be a list of state names", name)
    return list(value)


class State(_Model):
    """A state of the portfolio."""

    mapping_says = "must be a mapping of the state's data"

    gdp: Annotated[float, PlainValidator(_gdp), Allowed("> 0")] = required("GDP, USD bn")
    defense_share: Annotated[
        float,
        PlainValidator(_number(1e-4, 1.0, "in (0, 1] (a share of GDP, not a percentage)")),
        Allowed("(0, 1]"),
    ] = required("defence spending as a share of GDP (0.02, not 2)")
    region: Annotated[str, PlainValidator(_region), Allowed("any name")] = required(
        "states in one region value each other's security at `same_region` "
        "and need no power projection to help each other",
    )
    reach: Unit = Field(
        0.0, description="share of its strength a state can bring to another region"
    )
    election_period: Annotated[
        float,
        PlainValidator(_number(0.0, math.inf, ">= 0 (years; 0 = no elections)")),
        Allowed("0, or ≥ `run.dt_years`"),
    ] = Field(0.0, description="years between elections; 0 = none")
    adversary: Annotated[bool, PlainValidator(_boolean), Allowed("true/false")] = Field(
        False, description="an adversary probes its targets and is no alliance member"
    )
    targets: Annotated[
        dict[str, Weight] | None,
        BeforeValidator(_targets_mapping),
        Allowed("{state: weight ≥ 0}"),
    ] = Field(
        None, description="an adversary's targets and their weights (required for an adversary)"
    )
    provocations: Annotated[
        dict[str, Weight] | None,
        BeforeValidator(_targets_mapping),
        Allowed("{target: weight ≥ 0}"),
    ] = Field(
        None,
        description="how often each target provokes the adversary, as a weight like `targets` "
        "(default: the target's `targets` weight)",
    )
    growth: parameter(_DOMAIN["fiscal.growth"], optional=True) = Field(  # type: ignore[valid-type]
        None, description="the state's own GDP growth, instead of the shared draw"
    )
    support: parameter(_DOMAIN["political.support"], optional=True) = Field(  # type: ignore[valid-type]
        None, description="the state's own long-run support, instead of the shared draw"
    )


class Exit(_Model):
    """An alliance's exit terms."""

    mapping_says = "must be null or {notice_years, support_threshold}"

    notice_years: Years = required("years below the threshold before a member leaves")
    support_threshold: Unit = required("the support below which a member gives notice")


class Alliance(_Model):
    """An alliance of the portfolio."""

    mapping_says = "must be a mapping of the alliance's data"

    members: Annotated[
        list[str],
        PlainValidator(_members),
        Allowed("≥ 2 distinct non-adversary states"),
    ] = required("the member states")
    leader: Annotated[str | None, Allowed("a member, or null")] = Field(
        None, description="the alliance dissolves if its leader leaves"
    )
    obligation: Annotated[
        Literal["defense", "consultation"],
        PlainValidator(_option(OBLIGATIONS)),
        Allowed("`defense` / `consultation`"),
    ] = Field("defense", description="a consultation pact halves the honour probability")
    explicitness: Unit = required("how clearly the casus foederis is written")
    interoperability: Unit = required(
        "share of an ally's strength that counts in the target's defence"
    )
    decision: Annotated[
        Literal["consensus", "unilateral"],
        PlainValidator(_option(DECISIONS)),
        Allowed("`consensus` / `unilateral`"),
    ] = Field(
        "consensus",
        description="consensus adds a delay of `consensus_drag` (1 − interoperability)",
    )
    spending_target: Unit = Field(0.0, description="pledged defence share of GDP")
    escalation_control: Unit = Field(
        0.0, description="how tightly the alliance restrains its members' provocations"
    )
    institutionalisation: Annotated[
        Literal["low", "moderate", "high"] | None,
        PlainValidator(lambda v: None if v is None else _option(TIERS)(v)),
        Allowed("null / `low` / `moderate` / `high`"),
    ] = Field(
        None,
        description="military institutionalisation tier (ATOP `milinst`); its termination "
        "hazard is `political.termination_by_tier.<tier>`, null: `political.termination_rate`",
    )
    exit: Annotated[
        Exit | None, Allowed("null, or {`notice_years` ≥ 0, `support_threshold` ∈ [0, 1]}")
    ] = Field(
        None,
        description="a member whose support stays below the threshold for the notice period leaves",
    )


class Interest(_Model):
    """How much each state values each other's security."""

    mapping_says = "must be {same_region, other_region, pairs}"

    same_region: Unit = Field(0.8, description="between states of one region")
    other_region: Unit = Field(0.3, description="between states of different regions")
    pairs: Annotated[
        dict[
            str,
            Annotated[
                dict[str, Unit], BeforeValidator(_mapping_or_empty("must be {STATE: value}"))
            ],
        ],
        BeforeValidator(_mapping_or_empty("must be {STATE: {STATE: value}}")),
        Allowed("{A: {B: [0, 1]}}"),
    ] = Field(default_factory=dict, description="how much A values B's security (directional)")


def _states_mapping(value: Any) -> Any:
    if not isinstance(value, Mapping) or not value:
        raise problem("must map at least one state name to its data")
    if len(value) > layout.MAX_STATES:
        raise problem(f"at most {layout.MAX_STATES} states", f"{len(value)} states")
    return value


def _alliances_mapping(value: Any) -> Any:
    value = _mapping_or_empty("must map alliance names to their data")(value)
    if len(value) > layout.MAX_ALLIANCES:
        raise problem(f"at most {layout.MAX_ALLIANCES} alliances", f"{len(value)} alliances")
    return value


class Portfolio(_Model):
    """States, alliances and interest; the cross-references between them are checked here."""

    mapping_says = "missing: a mapping is required"

    name: Annotated[str, BeforeValidator(str)] = "scenario"
    states: Annotated[dict[str, State], BeforeValidator(_states_mapping)] = ABSENT
    alliances: Annotated[dict[str, Alliance], BeforeValidator(_alliances_mapping)] = ABSENT
    interest: Annotated[Interest, BeforeValidator(lambda v: {} if v is None else v)] = ABSENT

    @model_validator(mode="wrap")
    @classmethod
    def _cross_references(cls, data: Any, handler: ModelWrapValidatorHandler[Portfolio]) -> Any:
        """The cross-references, read from the input as given, so that they are reported
        together with the problems of the fields they refer to."""
        view = _Entries.of(data)
        found = (
            [*_target_problems(view), *_alliance_problems(view), *_pair_problems(view)]
            if view is not None
            else []
        )
        try:
            model = handler(data)
        except ValidationError as err:
            raise_problems("portfolio", found, also=err)  # raises err itself if none found
            raise
        raise_problems("portfolio", found)
        return model


Found = list[tuple[tuple[str | int, ...], object, str]]


@dataclass(frozen=True)
class _Entries:
    """What the cross-references read of a portfolio, taken from the raw input: a
    state's ``adversary`` and ``targets``, an alliance's ``members`` and ``leader``,
    the interest ``pairs``. A malformed value reads as :data:`UNKNOWN` and the
    checks that need it are skipped (its own field check reports it)."""

    states: dict[str, Any]
    alliances: dict[str, Any]
    interest: Any

    @classmethod
    def of(cls, data: Any) -> _Entries | None:
        """The entries, or ``None`` where the states themselves are unusable (not a
        mapping, none, or too many: then nothing can refer to them)."""

        def mapping(value: Any) -> Mapping[Any, Any]:
            return value if isinstance(value, Mapping) else {}

        portfolio = mapping(data)
        if not 0 < len(mapping(portfolio.get("states"))) <= layout.MAX_STATES:
            return None
        states = {}
        for name, raw in mapping(portfolio.get("states")).items():
            adversary = raw.get("adversary", False) if isinstance(raw, Mapping) else None
            targets = raw.get("targets") if isinstance(raw, Mapping) else UNKNOWN
            provocations = raw.get("provocations") if isinstance(raw, Mapping) else UNKNOWN
            states[str(name)] = SimpleNamespace(
                adversary=adversary if isinstance(adversary, bool) else UNKNOWN,
                targets=(
                    dict(targets) if isinstance(targets, Mapping)
                    else None if targets is None else UNKNOWN
                ),
                provocations=(
                    dict(provocations) if isinstance(provocations, Mapping)
                    else None if provocations is None else UNKNOWN
                ),
            )  # fmt: skip
        alliances = {}
        for name, raw in mapping(portfolio.get("alliances")).items():
            members = mapping(raw).get("members")
            leader = mapping(raw).get("leader")
            names = (
                list(members)
                if isinstance(members, list | tuple) and all(isinstance(m, str) for m in members)
                else UNKNOWN
            )
            alliances[str(name)] = SimpleNamespace(
                members=names,
                leader=leader if leader is None or isinstance(leader, str) else UNKNOWN,
            )
        pairs = {
            i: dict(row) if isinstance(row, Mapping) else {}
            for i, row in mapping(mapping(portfolio.get("interest")).get("pairs")).items()
        }
        return cls(states, alliances, SimpleNamespace(pairs=pairs))


#: a value of the raw input too malformed to cross-check
UNKNOWN: Any = type("Unknown", (), {"__repr__": lambda self: "UNKNOWN"})()


def _target_problems(portfolio: Portfolio | _Entries) -> Found:
    found: Found = []
    states = portfolio.states
    for name, state in states.items():
        where = ("states", name, "targets")
        if state.adversary is UNKNOWN or state.targets is UNKNOWN:
            continue
        if state.provocations is not UNKNOWN and state.provocations:
            for target, weight in state.provocations.items():
                if not state.adversary:
                    found.append(
                        (("states", name, "provocations"), state.provocations,
                         "only an adversary (adversary: true) has provocations")
                    )  # fmt: skip
                    break
                if not (state.targets or {}).get(target):
                    found.append(
                        (("states", name, "provocations", target), weight,
                         f"'{target}' is not one of {name}'s targets (weight > 0)")
                    )  # fmt: skip
        if not state.adversary:
            if state.targets:
                found.append(
                    (where, state.targets, "only an adversary (adversary: true) has targets")
                )
            continue
        if not state.targets:
            found.append(
                (where, state.targets, "an adversary needs targets: {STATE: weight > 0, ...}")
            )
            continue
        for target, weight in state.targets.items():
            if target not in states:
                found.append(
                    ((*where, target), weight, f"'{target}' is not a state of the portfolio")
                )
            elif target == name:
                found.append(((*where, target), weight, "an adversary cannot target itself"))
            elif states[target].adversary is True and weight:
                found.append(
                    ((*where, target), weight, "an adversary cannot target another adversary")
                )
    return found


def _alliance_problems(portfolio: Portfolio | _Entries) -> Found:
    found: Found = []
    states = portfolio.states
    for name in portfolio.alliances:
        if name in states:
            found.append(
                (("alliances", name), name, "an alliance cannot share a name with a state")
            )
    for name, alliance in portfolio.alliances.items():
        where = ("alliances", name, "members")
        if alliance.members is UNKNOWN:
            continue
        seen: set[str] = set()
        for m in alliance.members:
            if m in seen:
                found.append((where, m, "is listed twice"))
            elif m not in states:
                found.append((where, m, "is not a state of the portfolio"))
            elif states[m].adversary is True:
                found.append((where, m, "is an adversary; adversaries are not members"))
            seen.add(m)
        if len(seen) < 2:
            found.append((where, list(alliance.members), "an alliance needs at least two members"))
        if alliance.leader not in (None, UNKNOWN) and (
            alliance.leader not in seen or alliance.leader not in states
        ):
            members = ", ".join(map(str, alliance.members))
            found.append(((*where[:2], "leader"), alliance.leader,
                          f"must be one of the members ({members}) or null"))  # fmt: skip
    return found


def _pair_problems(portfolio: Portfolio | _Entries) -> Found:
    found: Found = []
    states = portfolio.states
    for i_name, row in portfolio.interest.pairs.items():
        if i_name not in states:
            found.append((("interest", "pairs", i_name), row, "is not a state"))
            continue
        found += [
            (("interest", "pairs", i_name, j_name), v, "is not a state")
            for j_name, v in row.items()
            if j_name not in states
        ]
    return found


# ---------------------------------------------------------------- mechanisms, clock, the whole
Mechanisms: type[_Model] = create_model(  # type: ignore[call-overload]
    "Mechanisms",
    __base__=_Model,
    **{m: (Annotated[bool, PlainValidator(_boolean)], True) for m in layout.MECHANISMS},
)


class Clock(BaseModel):
    """The keys of ``run`` the compiler reads (the others are the run's: ``config.schema``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    horizon_years: Annotated[
        float, PlainValidator(_number(1e-300, math.inf, "", "must be a positive number of years"))
    ] = 10.0
    dt_years: Annotated[
        float, PlainValidator(_number(1e-300, math.inf, "", "must be a positive number of years"))
    ] = 0.25
    burn_in_years: Annotated[
        float, PlainValidator(_number(0.0, math.inf, "", "must be a number of years >= 0"))
    ] = 0.0

    @model_validator(mode="after")
    def _whole_steps(self) -> Clock:
        found: Found = []
        dt = self.dt_years
        n_steps = round(self.horizon_years / dt)
        if n_steps < 1 or abs(n_steps * dt - self.horizon_years) > 1e-9 * max(
            1.0, self.horizon_years
        ):
            found.append((("horizon_years",), self.horizon_years,
                          f"must be a whole number of steps of dt_years = {dt}"))  # fmt: skip
        n_burn_in = round(self.burn_in_years / dt)
        if abs(n_burn_in * dt - self.burn_in_years) > 1e-9 * max(1.0, self.burn_in_years):
            found.append((("burn_in_years",), self.burn_in_years,
                          f"must be a whole number of steps of dt_years = {dt}"))  # fmt: skip
        raise_problems("run", found)
        return self


class Spec(BaseModel):
    """A whole scenario specification: the four groups, the mechanisms and the clock."""

    model_config = ConfigDict(extra="ignore", validate_default=True, frozen=True)

    portfolio: Portfolio = ABSENT
    threat: Threat = ABSENT  # type: ignore[valid-type]
    fiscal: Fiscal = ABSENT  # type: ignore[valid-type]
    political: Political = ABSENT  # type: ignore[valid-type]
    mechanisms: Annotated[Mechanisms, BeforeValidator(lambda v: {} if v is None else v)] = ABSENT  # type: ignore[valid-type]
    run: Annotated[Clock, BeforeValidator(lambda v: {} if v is None else v)] = ABSENT

    @model_validator(mode="after")
    def _elections_fit_the_clock(self) -> Spec:
        dt = self.run.dt_years
        raise_problems("spec", [
            (("portfolio", "states", name, "election_period"), s.election_period,
             f"must be 0 or at least one step (dt_years = {dt})")
            for name, s in self.portfolio.states.items()
            if 0 < s.election_period < dt
        ])  # fmt: skip
        return self
