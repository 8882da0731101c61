"""Finding one experiment in a grid by what it is, under a chapter's protocol (chapters 11 and 12).

A chapter takes its specs from :mod:`hilbertlib.grid` under one
:class:`~hilbertlib.specs.Protocol`.  A quick run's protocol replaces some
fields in every spec (one epoch, a few hundred images), so a chapter that
asks for "the recipe's 40-epoch variant" must not ask for ``epochs=40`` then:
:func:`find` ignores the fields that the protocol sets and matches the rest.
Under a quick protocol two specs of the grid may become the same experiment
(the 20- and the 40-epoch runs both become one-epoch runs); they are one spec
then, with one id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from .specs import PAPER, ExperimentSpec, Protocol

__all__ = ["find_all", "find"]

_PROTOCOL_FIELDS = tuple(f.name for f in fields(Protocol))
_SPEC_FIELDS = frozenset(f.name for f in fields(ExperimentSpec))


def find_all(specs: Iterable[ExperimentSpec], protocol: Protocol = PAPER, **wanted: Any) -> list[ExperimentSpec]:
    """The specs whose fields equal ``wanted``, except the fields ``protocol`` sets; one per id, in order."""
    unknown = set(wanted) - _SPEC_FIELDS
    if unknown:
        raise ValueError(f"unknown spec fields {sorted(unknown)}; valid: {', '.join(sorted(_SPEC_FIELDS))}")
    fixed = {k: v for k, v in wanted.items() if not (k in _PROTOCOL_FIELDS and getattr(protocol, k) is not None)}
    out: dict[str, ExperimentSpec] = {}
    for s in specs:
        if all(getattr(s, k) == v for k, v in fixed.items()):
            out.setdefault(s.id, s)
    return list(out.values())


def find(specs: Iterable[ExperimentSpec], protocol: Protocol = PAPER, **wanted: Any) -> ExperimentSpec:
    """The one spec that :func:`find_all` finds; ``LookupError`` naming ``wanted`` when there is none or several."""
    found = find_all(specs, protocol, **wanted)
    if len(found) != 1:
        what = ", ".join(f"{k}={v!r}" for k, v in wanted.items())
        ids = ", ".join(s.id for s in found) or "none"
        raise LookupError(f"expected one spec with {what}, found {len(found)}: {ids}")
    return found[0]
