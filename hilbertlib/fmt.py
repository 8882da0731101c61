"""Numbers formatted for the prose: percentages, points, p-values, intervals (chapter 4).

Each function returns a short label to glue next to the sentence that
uses it, never a sentence.
"""

from __future__ import annotations

import math

__all__ = ["pct", "points", "pvalue", "p_is", "interval", "sci"]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _num(x: float, what: str) -> float:
    if x is None or isinstance(x, bool):
        raise ValueError(f"{what} needs a number, got {x!r}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{what} needs a finite number, got {x!r}")
    return x


def pct(x: float, digits: int = 2) -> str:
    """A share as a percentage: ``0.9728 -> '97.28%'``."""
    return f"{100 * _num(x, 'pct'):.{digits}f}%"


def points(x: float, digits: int = 2, sign: bool = False) -> str:
    """A difference of two shares in percentage points: ``0.0373 -> '3.73'`` (``'+3.73'`` with ``sign``)."""
    return f"{100 * _num(x, 'points'):{'+' if sign else ''}.{digits}f}"


def pvalue(p: float) -> str:
    """A p-value: three decimals, ``'< 0.001'`` below that, ``'1'`` at one."""
    p = _num(p, "pvalue")
    if not 0 <= p <= 1:
        raise ValueError(f"a p-value lies in [0, 1], got {p!r}")
    if p < 0.001:
        return "< 0.001"
    return "1" if p == 1 else f"{p:.3f}"


def p_is(p: float) -> str:
    """A p-value with its relation, to follow a bare "p" (chapters 12 and 13):
    ``0.18 -> '= 0.180'``, ``0.0004 -> '< 0.001'``."""
    text = pvalue(p)
    return text if text.startswith("<") else f"= {text}"


def interval(low: float, high: float, digits: int = 2, scale: float = 100.0) -> str:
    """A confidence interval, by default of shares in points: ``(0.031, 0.044) -> '[3.10, 4.40]'``."""
    lo, hi = _num(low, "interval") * scale, _num(high, "interval") * scale
    return f"[{lo:.{digits}f}, {hi:.{digits}f}]"


def sci(x: float, digits: int = 1) -> str:
    """A small or large number: ``0.0162 -> '1.6 × 10⁻²'``; ``0 -> '0'``."""
    x = _num(x, "sci")
    if x == 0:
        return "0"
    mant, exp = f"{x:.{digits}e}".split("e")
    e = int(exp)
    return mant if e == 0 else f"{mant} × 10{str(e).translate(_SUPERSCRIPT)}"
