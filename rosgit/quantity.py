"""Kubernetes resource quantities as exact numbers (millicores for CPU, bytes for memory and storage)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rosgit.errors import UsageError

_SUFFIXES = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}
_QUANTITY = re.compile(
    r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$"
)


def parse_quantity(value: object) -> Decimal:
    """The quantity's value in base units (cores, bytes)."""
    text = str(value).strip()
    match = _QUANTITY.match(text)
    if not match:
        raise UsageError(f"invalid quantity {value!r}")
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        raise UsageError(f"invalid quantity {value!r}") from None
    return number * _SUFFIXES[match.group(2) or ""]


def millicores(value: object) -> int:
    return int((parse_quantity(value) * 1000).to_integral_value())


def bytes_of(value: object) -> int:
    return int(parse_quantity(value).to_integral_value())
