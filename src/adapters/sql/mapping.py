"""Rows to frozen domain dataclasses and back: one column per field, of the same name;
enums are stored as their values. The tables are the dataclasses' fields plus, for the
append-only tables, an autoincrement id the domain does not need."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from functools import cache
from typing import Any, TypeVar

from core.domain.activation import Activation, ActivationRecord
from core.domain.model import Delivery, DeliveryAttempt, Event, HistoryEntry, License
from core.domain.sales import ReconcilePoint


T = TypeVar("T")


@cache
def _enums(cls: type) -> dict[str, type[enum.Enum]]:
    """The fields of `cls` that hold an enum (or an optional one), and its class."""
    found = {}
    for name, hint in typing.get_type_hints(cls).items():
        options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        for option in options:
            if isinstance(option, type) and issubclass(option, enum.Enum):
                found[name] = option
    return found


def _from_row(cls: type[T], row: Any) -> T:
    values = row._mapping
    kwargs = {}
    enums = _enums(cls)  # type: ignore[arg-type]  # classes are hashable
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]  # always one of the dataclasses below
        value = values[field.name]
        if value is not None and field.name in enums:
            value = enums[field.name](value)
        elif isinstance(value, memoryview):
            value = bytes(value)
        kwargs[field.name] = value
    return cls(**kwargs)


def _to_row(obj: Any) -> dict[str, Any]:
    return {
        field.name: value.value if isinstance(value := getattr(obj, field.name), enum.Enum) else value
        for field in dataclasses.fields(obj)
    }


def event_from_row(row: Any) -> Event:
    return _from_row(Event, row)


def license_from_row(row: Any) -> License:
    return _from_row(License, row)


def history_from_row(row: Any) -> HistoryEntry:
    return _from_row(HistoryEntry, row)


def delivery_from_row(row: Any) -> Delivery:
    return _from_row(Delivery, row)


def attempt_from_row(row: Any) -> DeliveryAttempt:
    return _from_row(DeliveryAttempt, row)


def activation_from_row(row: Any) -> Activation:
    return _from_row(Activation, row)


def activation_record_from_row(row: Any) -> ActivationRecord:
    return _from_row(ActivationRecord, row)


def point_from_row(row: Any) -> ReconcilePoint:
    return _from_row(ReconcilePoint, row)


activation_to_row = activation_record_to_row = point_to_row = _to_row
event_to_row = license_to_row = history_to_row = delivery_to_row = attempt_to_row = _to_row
