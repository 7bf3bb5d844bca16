"""Answer forms math-verify has no option for: clock times, units, grouped digits, mixed
numbers, degrees inside trig functions.

Pure string functions, cheap (regular expressions on short strings), used by `math_equiv`
before an answer pair reaches math-verify. Each one only recognises a form whose reading is
unambiguous and leaves everything else unchanged, so math-verify still decides the rest.
What math-verify *does* have an option for (a set written as a relation, the imaginary unit
in a complex answer) is set in `_math_worker`, not here.
"""

from __future__ import annotations

import re

from ._latex import unwrap_text

_LONGEST = 200  # a "number with a unit" or a clock time is short; longer answers are left alone

# --------------------------------------------------------------------------- clock times

_CLOCK = re.compile(
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?\s*m\.?)?", re.IGNORECASE
)


def clock_seconds(s: str) -> int | None:
    """Seconds after midnight when ``s`` is a clock time, else None.

    ``20:34``, ``20:34:00``, ``08:34 \\text{P.M.}``, ``8:34 pm`` (and ``20{:}34``). Hours
    0-23 without AM/PM (``8:34`` is 08:34), 1-12 with it (``12:15 AM`` is 00:15); minutes
    and seconds 0-59; anything else is not a clock time (``3:4``, ``25:00``, ``20:34 PM``).
    """
    if not isinstance(s, str) or len(s) > _LONGEST or ":" not in s:
        return None
    t = unwrap_text(s.replace("{:}", ":").replace("\\!", "")).strip().rstrip(".").strip()
    m = _CLOCK.fullmatch(t)
    if m is None:
        return None
    h, mi, sec = int(m["h"]), int(m["m"]), int(m["s"] or 0)
    if mi > 59 or sec > 59:
        return None
    if m["ampm"]:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if m["ampm"][0].lower() == "p" else 0)
    elif h > 23:
        return None
    return h * 3600 + mi * 60 + sec


# --------------------------------------------------------------------------- units

_GAP = r"(?:\s|~|\\,|\\;|\\:|\\ |\\!)*"
_WRAPPED = r"\\(?:text|textrm|mathrm|rm|mbox|operatorname|mathit|textnormal)\s*\{[^{}]*\}"
_CURRENCY_SIGN = r"(?:\\\$|\$|€|£|¥|₹|\\euro|\\pounds|\\yen)"
_UNIT_TOKEN = (
    rf"(?:{_WRAPPED}|[A-Za-z]++|°|²|³|\^\s*\{{\s*\\circ\s*\}}|\^\s*\\circ|\\circ|\\degree"
    rf"|\^\s*\{{\s*-?[1-3]\s*\}}|\^\s*-?[1-3]|/|\\cdot|{_CURRENCY_SIGN})"
)
# starts after the number, never inside a command (`2\pi \text{ cm}`); possessive letters
# keep the search linear
_UNIT_TAIL = re.compile(rf"(?<![\\A-Za-z])(?:{_GAP}{_UNIT_TOKEN})+{_GAP}$")
_LEADING_CURRENCY = re.compile(rf"^{_GAP}(?P<cur>{_CURRENCY_SIGN}){_GAP}")
_TOKEN = re.compile(_UNIT_TOKEN)
# What the number part may contain: digits, operators, a few commands, an `x =` in front.
_VALUE_COMMANDS = re.compile(r"\\(?:d?frac|tfrac|sqrt|pi|times|cdot|left|right)(?![A-Za-z])")
_VALUE_CHARS = re.compile(r"(?:[A-Za-z]\s*=)?[\d\s.,+\-*/^(){}\[\]]*")

_CURRENCIES = {"\\$": "usd", "$": "usd", "€": "eur", "\\euro": "eur", "£": "gbp", "\\pounds": "gbp",
               "¥": "yen", "\\yen": "yen", "₹": "inr"}
# Spellings of one unit -> its key (after lower-casing; plurals are handled below).
_SYNONYMS = {
    "dollar": "usd", "usd": "usd", "euro": "eur", "eur": "eur", "pound": "gbp", "gbp": "gbp",
    "yen": "yen", "rupee": "inr", "inr": "inr", "cent": "cent",
    "deg": "deg", "degree": "deg", "°": "deg",
    "meter": "m", "metre": "m", "m": "m", "centimeter": "cm", "centimetre": "cm", "cm": "cm",
    "millimeter": "mm", "millimetre": "mm", "mm": "mm", "kilometer": "km", "kilometre": "km", "km": "km",
    "inch": "in", "inche": "in", "in": "in", "foot": "ft", "feet": "ft", "ft": "ft", "yard": "yd", "yd": "yd",
    "mile": "mi", "mi": "mi", "gram": "g", "g": "g", "kilogram": "kg", "kg": "kg", "mg": "mg",
    "liter": "l", "litre": "l", "l": "l", "ml": "ml", "milliliter": "ml", "millilitre": "ml",
    "second": "s", "sec": "s", "s": "s", "minute": "min", "min": "min", "hour": "h", "hr": "h", "h": "h",
    "day": "day", "week": "week", "wk": "week", "month": "month", "year": "year", "yr": "year",
    "mph": "mi/h", "kmh": "km/h", "kph": "km/h", "lb": "lb", "oz": "oz",
}
# Bare words (no \text{}) that are units even when shorter than three letters.
_SHORT_UNITS = {"m", "cm", "mm", "km", "in", "ft", "yd", "mi", "g", "kg", "mg", "l", "ml", "s", "h",
                "hr", "yr", "wk", "lb", "oz", "K", "J", "N", "W", "V", "A", "Pa", "Hz", "eV", "kJ",
                "kW", "mL", "L", "nm", "km", "GB", "MB", "kB"}
# Words that are mathematics, not units.
_NOT_UNITS = {"pi", "sin", "cos", "tan", "cot", "sec", "csc", "log", "ln", "exp", "lim", "max",
              "min", "mod", "gcd", "lcm", "sqrt", "frac", "inf", "infty", "and", "or", "cdot",
              "times", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "det", "dx", "dy", "dt"}
_PLACEHOLDERS = {"unit", "units", "square units", "sq units", "cubic units"}
_POWER = re.compile(r"\^\s*\{?\s*(-?[1-3])\s*\}?")


def _unit_key(tokens: list[str]) -> str | None:
    """One spelling for a unit (``\\text{ cm}^2`` = ``cm²`` = ``square centimeters``); ""
    for a placeholder such as "units"; None when a token is not a unit (a variable)."""
    words: list[str] = []
    for i, tok in enumerate(tokens):
        if tok in _CURRENCIES:
            words.append(_CURRENCIES[tok])
        elif tok in ("°", "\\degree") or "circ" in tok:
            words.append("deg")
        elif tok in ("²", "³") or tok.startswith("^"):
            p = "2" if tok == "²" else "3" if tok == "³" else _POWER.fullmatch(tok)[1]
            if not words:
                return None
            words[-1] += "^" + p
        elif tok in ("/", "\\cdot"):
            words.append("/" if tok == "/" else "*")
        else:
            wrapped = tok.startswith("\\")
            text = tok[tok.index("{") + 1 : -1] if wrapped else tok
            text = text.replace("~", " ").replace("\\,", " ").replace("\\ ", " ").strip()
            if not text:
                continue
            if text.lower() in _PLACEHOLDERS:
                continue
            for word in re.findall(r"°|[A-Za-z]+|[²³]|\^\s*\{?-?[1-3]\}?|/", text):
                if word in ("²", "³") or word.startswith("^"):
                    p = "2" if word == "²" else "3" if word == "³" else _POWER.fullmatch(word)[1]
                    if words:
                        words[-1] += "^" + p
                    continue
                if word == "/":
                    words.append("/")
                    continue
                if not wrapped and word.lower() in _NOT_UNITS:
                    return None
                if not wrapped and len(word) < 3 and word not in _SHORT_UNITS:
                    return None  # `2x`, `3ab`: a variable, not a unit
                words.append(word)
    out: list[str] = []
    square = ""
    for w in words:
        lw = w.lower()
        if lw in ("square", "sq", "cubic", "cu"):
            square = "^2" if lw in ("square", "sq") else "^3"
            continue
        if lw == "per":
            out.append("/")
            continue
        base, _, power = lw.partition("^")
        if base not in _SYNONYMS and len(base) > 3 and base.endswith("s"):
            # plurals: weeks -> week, boxes -> box, inches -> inch
            base = base[:-2] if re.search(r"(?:[sxz]|ch|sh)es$", base) else base[:-1]
        base = _SYNONYMS.get(base, base)
        out.append(base + ("^" + power if power else square))
        square = ""
    return re.sub(r"\s*([/*])\s*", r"\1", " ".join(out))


def split_unit(s: str) -> tuple[str, str | None]:
    """(the number part, the unit's key) of ``number + unit``, or ``(s, None)`` without a unit.

    Recognised: a unit in ``\\text{}``/``\\mathrm{}`` (``5 \\text{ cm}^2``), a currency sign on
    either side (``\\$5``, ``1,000.99€``), ``°``/``^\\circ``, unicode powers (``m²``), and bare
    words: known unit abbreviations (``5cm``, ``5 m``; a one-letter one needs a space) and any
    word of three letters or more that is not mathematics (``10 weeks``). The number part must
    be a number (digits, operators, ``\\frac``, ``\\sqrt``, ``\\pi``, an ``x =`` in front), so
    ``2x``, ``\\sin 30^\\circ`` and ``x^2`` have no unit. The key is "" for a placeholder
    ("square units"), which any unit matches.
    """
    if not isinstance(s, str) or len(s) > _LONGEST:
        return s, None
    text = s.strip()
    currency = None
    lead = _LEADING_CURRENCY.match(text)
    if lead:
        currency, text = _CURRENCIES[lead["cur"]], text[lead.end():]
    tail = _UNIT_TAIL.search(text)
    tokens: list[str] = []
    if tail:
        value = text[: tail.start()]
        tokens = _TOKEN.findall(text[tail.start():])
        # a one-letter bare unit must be separated from the number: `5 m` but not `5m`
        first = tokens[0] if tokens else ""
        if len(first) == 1 and first.isalpha() and text[tail.start()] not in " \t~\\":
            return s, None
    else:
        value = text
    value = value.strip()
    if not value or not re.search(r"\d", value) or not _VALUE_CHARS.fullmatch(_VALUE_COMMANDS.sub(" ", value)):
        return s, None
    if value[-1] in "+-*/^=,(":
        return s, None
    key = _unit_key(tokens) if tokens else ""
    if key is None:
        return s, None
    if currency is not None:
        if key and key != currency:
            return s, None  # `\$5 \text{ per hour}`: leave it to math-verify
        key = currency
    if not tokens and currency is None:
        return s, None
    return value, key


def same_unit(a: str | None, b: str | None) -> bool:
    """Whether two unit keys (from `split_unit`) can be the same unit: equal, or one of them
    absent or a placeholder."""
    return not a or not b or a == b


# --------------------------------------------------------------------------- numbers

_SPACE_GROUPS = re.compile(
    r"(?<![\d.,])(\d{1,3})((?:(?:\s|\\,|\\;|\\:|\\ |~|\\!|\\thinspace\s*)\d{3})+)(?![\d/]|\s*\\frac|\.\d)"
)
_MIXED_SLASH = re.compile(r"(?<![\d.}])(\d+)\s+(\d+)\s*/\s*(\d+)(?![\d.])")


def group_digits(s: str) -> str:
    """``1 000`` and ``1\\,000`` are one number (1000); ``1{,}000`` is ``1,000``. A comma
    followed by a space separates list items (``32, 349`` stays two numbers)."""
    s = s.replace("{,}", ",")
    return _SPACE_GROUPS.sub(lambda m: m[1] + re.sub(r"\D", "", m[2]), s)


def mixed_fractions(s: str) -> str:
    """``1 1/2`` -> ``1\\frac{1}{2}`` (math-verify reads that as the mixed number 1.5)."""
    return _MIXED_SLASH.sub(r"\1\\frac{\2}{\3}", s)


# --------------------------------------------------------------------------- degrees in trig

_TRIG = re.compile(r"\\(?:sin|cos|tan|cot|sec|csc)(?![A-Za-z])")
_DEGREES = re.compile(
    r"(?P<x>\d+(?:\.\d+)?|[A-Za-z])\s*(?:\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|°|\\degree(?![A-Za-z]))"
)


def degrees_in_trig(s: str) -> str:
    """Inside an answer with a trig function, ``90^{\\circ}`` is π/2: ``\\sin(90^{\\circ}-x)``
    becomes ``\\sin((\\frac{90\\pi}{180})-x)``, which math-verify finds equal to ``\\cos x``.
    (math-verify parses with ``convert_degrees=False`` and has no option for it; outside trig
    a degree sign is a unit and `split_unit` handles it.)"""
    if not _TRIG.search(s):
        return s
    return _DEGREES.sub(lambda m: "(\\frac{" + m["x"] + "\\pi}{180})", s)
