"""A deliberately small GraphQL reader: enough of the language for the Shopify orders query, nothing more.

The sandbox is **not a general GraphQL server**. It reads one anonymous or named ``query`` operation with
variable definitions (and defaults), aliases, arguments (variables, strings, numbers, booleans, null, enums,
lists, objects) and nested selections. Fragments, directives, mutations and subscriptions are refused with a
GraphQL error, as is any field missing from the small schema the caller projects against.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"""(?P<skip>[\s,]+|\#[^\n]*)
      | (?P<spread>\.\.\.)
      | (?P<punct>[{}()\[\]:!$=@])
      | (?P<string>"(?:[^"\\\n]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<name>[_A-Za-z][_0-9A-Za-z]*)""",
    re.VERBOSE,
)


class GraphQLError(ValueError):
    """Reported to the client as ``{"errors": [{"message": ...}]}`` with HTTP 200, as GraphQL servers do."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code

    def as_error(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": str(self)}
        if self.code:
            error["extensions"] = {"code": self.code}
        return error


@dataclass(frozen=True)
class Variable:
    name: str


@dataclass(frozen=True)
class Enum:
    value: str


@dataclass
class Selection:
    name: str
    alias: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    selections: list[Selection] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass
class Operation:
    selections: list[Selection]
    variable_defaults: dict[str, Any]


def parse(source: str) -> Operation:
    return _Parser(source).operation()


def argument_values(selection: Selection, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The selection's arguments with variables substituted (unset variables read as null)."""
    return {name: _resolve(value, variables) for name, value in selection.arguments.items()}


def _resolve(value: Any, variables: Mapping[str, Any]) -> Any:
    if isinstance(value, Variable):
        return variables.get(value.name)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_resolve(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, variables) for k, v in value.items()}
    return value


Schema = Mapping[str, Mapping[str, str | None]]  # type -> field -> child type (None for a scalar)
Resolver = Callable[[dict[str, Any]], Any]  # a field that needs its arguments (a nested connection)


def project(schema: Schema, type_name: str, value: Any, selections: list[Selection], variables: Mapping) -> Any:
    """Keep only the selected fields of ``value`` (a dict, list of dicts or None), as a GraphQL server would."""
    if value is None:
        return None
    if isinstance(value, list):
        return [project(schema, type_name, item, selections, variables) for item in value]
    fields = schema[type_name]
    out: dict[str, Any] = {}
    for selection in selections:
        if selection.name == "__typename":
            out[selection.key] = type_name
            continue
        if selection.name not in fields:
            raise GraphQLError(f"Field '{selection.name}' doesn't exist on type '{type_name}'", "undefinedField")
        child = fields[selection.name]
        raw = value.get(selection.name)
        if callable(raw):
            raw = raw(argument_values(selection, variables))
        if child is None:
            if selection.selections:
                raise GraphQLError(f"Selections can't be made on scalars (field '{selection.name}')")
            out[selection.key] = raw
        else:
            if not selection.selections:
                raise GraphQLError(f"Field '{selection.name}' of type '{child}' must have a selection of subfields")
            out[selection.key] = project(schema, child, raw, selection.selections, variables)
    return out


class _Parser:
    def __init__(self, source: str) -> None:
        self._tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(source):
            match = _TOKEN.match(source, position)
            if match is None:
                raise GraphQLError(f"Parse error on {source[position : position + 10]!r} (position {position})")
            position = match.end()
            if match.lastgroup != "skip":
                self._tokens.append((match.lastgroup or "", match.group()))
        self._at = 0

    def operation(self) -> Operation:
        defaults: dict[str, Any] = {}
        if self._peek() == ("name", "query"):
            self._next()
            if self._peek()[0] == "name":
                self._next()
            if self._peek() == ("punct", "("):
                defaults = self._variable_definitions()
        elif self._peek()[0] == "name":
            raise GraphQLError(f"sandbox GraphQL serves queries only, not '{self._peek()[1]}'")
        selections = self._selection_set()
        if self._at != len(self._tokens):
            raise GraphQLError("sandbox GraphQL reads a single operation; fragments are not supported")
        return Operation(selections, defaults)

    def _variable_definitions(self) -> dict[str, Any]:
        self._expect("punct", "(")
        defaults: dict[str, Any] = {}
        while self._peek() != ("punct", ")"):
            self._expect("punct", "$")
            name = self._expect("name")
            self._expect("punct", ":")
            self._type()
            if self._peek() == ("punct", "="):
                self._next()
                defaults[name] = _resolve(self._value(), {})
        self._next()
        return defaults

    def _type(self) -> None:
        if self._peek() == ("punct", "["):
            self._next()
            self._type()
            self._expect("punct", "]")
        else:
            self._expect("name")
        if self._peek() == ("punct", "!"):
            self._next()

    def _selection_set(self) -> list[Selection]:
        self._expect("punct", "{")
        selections = []
        while self._peek() != ("punct", "}"):
            if self._peek()[0] in ("spread",) or self._peek() == ("punct", "@"):
                raise GraphQLError("sandbox GraphQL does not support fragments or directives")
            selections.append(self._selection())
        self._next()
        if not selections:
            raise GraphQLError("Parse error: empty selection set")
        return selections

    def _selection(self) -> Selection:
        name, alias = self._expect("name"), None
        if self._peek() == ("punct", ":"):
            self._next()
            alias, name = name, self._expect("name")
        selection = Selection(name, alias)
        if self._peek() == ("punct", "("):
            self._next()
            while self._peek() != ("punct", ")"):
                argument = self._expect("name")
                self._expect("punct", ":")
                selection.arguments[argument] = self._value()
            self._next()
        if self._peek() == ("punct", "{"):
            selection.selections = self._selection_set()
        return selection

    def _value(self) -> Any:
        kind, token = self._next()
        if (kind, token) == ("punct", "$"):
            return Variable(self._expect("name"))
        if kind == "string":
            return json.loads(token)
        if kind == "number":
            return float(token) if any(c in token for c in ".eE") else int(token)
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(token, Enum(token))
        if (kind, token) == ("punct", "["):
            items = []
            while self._peek() != ("punct", "]"):
                items.append(self._value())
            self._next()
            return items
        if (kind, token) == ("punct", "{"):
            fields = {}
            while self._peek() != ("punct", "}"):
                key = self._expect("name")
                self._expect("punct", ":")
                fields[key] = self._value()
            self._next()
            return fields
        raise GraphQLError(f"Parse error on {token!r}: expected a value")

    def _peek(self) -> tuple[str, str]:
        return self._tokens[self._at] if self._at < len(self._tokens) else ("end", "")

    def _next(self) -> tuple[str, str]:
        token = self._peek()
        if token[0] == "end":
            raise GraphQLError("Parse error: unexpected end of document")
        self._at += 1
        return token

    def _expect(self, kind: str, text: str | None = None) -> str:
        got_kind, got = self._next()
        if got_kind != kind or (text is not None and got != text):
            raise GraphQLError(f"Parse error on {got!r}: expected {text or kind}")
        return got
