"""go-yaml v2's map key order."""

from __future__ import annotations

import functools
import re
from typing import Any


def go_key_less(a: str, b: str) -> bool:
    """go-yaml v2's key ordering: letters after non-letters, digit runs compared numerically."""
    la, lb = len(a), len(b)
    for i in range(min(la, lb)):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < la and a[ai].isdecimal():
            an = _wrap64(an * 10 + ord(a[ai]) - 48)
            ai += 1
        bi = i
        while bi < lb and b[bi].isdecimal():
            bn = _wrap64(bn * 10 + ord(b[bi]) - 48)
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return la < lb


def _wrap64(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def _go_cmp(a: str, b: str) -> int:
    if go_key_less(a, b):
        return -1
    if go_key_less(b, a):
        return 1
    return 0


_SORT_KEY = functools.cmp_to_key(_go_cmp)
_ORDER_CACHE: dict[tuple[str, ...], list[str]] = {}
_SIMPLE_KEY_RE = re.compile(r"[A-Za-z]+")


def natural_key_sort(keys: list[str]) -> list[str]:
    """Keys in the order go-yaml v2 writes map keys."""
    if len(keys) < 2:
        return keys
    signature = tuple(keys)
    cached = _ORDER_CACHE.get(signature)
    if cached is not None:
        return cached
    # Pure ASCII letters compare by code point, which is what str ordering does.
    simple = all(_SIMPLE_KEY_RE.fullmatch(k) for k in keys)
    ordered = sorted(keys) if simple else sorted(keys, key=_SORT_KEY)
    if len(_ORDER_CACHE) < 50_000:
        _ORDER_CACHE[signature] = ordered
    return ordered


def ordered_keys(mapping: dict[str, Any]) -> list[str] | tuple[str, ...]:
    """The mapping's keys in go-yaml v2's order (the emitter asks once per printed mapping)."""
    if len(mapping) < 2:
        return tuple(mapping)
    signature = tuple(mapping)
    cached = _ORDER_CACHE.get(signature)
    return cached if cached is not None else natural_key_sort(list(signature))
