"""The published site's colours meet WCAG 2.x contrast, in every colour scheme it has.

The test reads ``style.css`` itself: its custom properties (``:root``), the rules of each
colour scheme (the light one, ``prefers-color-scheme: dark`` where present, and print),
every text colour (``color``), every background (``background``, ``background-color``,
and the page's own canvas) and every focus outline and form-control border.  Each text
colour must reach 4.5:1 against each background (3:1 for large text), each outline and
control border 3:1 (WCAG 1.4.3 and 1.4.11).  Every pairing is checked, not only those a
selector proves adjacent: a muted line may well sit on the tinted provenance panel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from archivist.publish.pages import TEMPLATES

BODY_TEXT = 4.5
LARGE_TEXT = 3.0
UI_COMPONENT = 3.0
#: The canvas when no rule paints one: browsers start from white in a light scheme.
CANVAS = {"light": (255, 255, 255), "print": (255, 255, 255), "dark": (18, 18, 18)}
_NAMED = {"white": (255, 255, 255), "black": (0, 0, 0)}
_CONTROLS = re.compile(r"\b(input|button|select|textarea)\b|\.button\b")
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*))?\)")

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Rule:
    media: str
    selector: str
    declarations: dict[str, str]


def rules_of(css: str) -> list[Rule]:
    """The rules of a stylesheet, each with the ``@media`` condition it sits in."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: list[Rule] = []
    position = 0
    for media in re.finditer(r"@media([^{]*)\{((?:[^{}]*\{[^{}]*\})*)\s*\}", css):
        found += _plain_rules(css[position:media.start()], "")
        found += _plain_rules(media.group(2), media.group(1).strip())
        position = media.end()
    return [*found, *_plain_rules(css[position:], "")]


def _plain_rules(css: str, media: str) -> Iterator[Rule]:
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {}
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            if value.strip():
                declarations[name.strip().lower()] = value.strip()
        yield Rule(media, " ".join(selector.split()), declarations)


def schemes(rules: list[Rule]) -> dict[str, list[Rule]]:
    """The rules in force in each colour scheme: light, print, and dark if written."""
    def applies(rule: Rule, scheme: str) -> bool:
        if "prefers-color-scheme" in rule.media:
            return scheme == "dark" and "dark" in rule.media
        if "print" in rule.media:
            return scheme == "print"
        return True

    names = ["light", "print"]
    if any("prefers-color-scheme: dark" in rule.media for rule in rules):
        names.append("dark")
    return {name: [rule for rule in rules if applies(rule, name)] for name in names}


def custom_properties(rules: list[Rule]) -> dict[str, str]:
    found: dict[str, str] = {}
    for rule in rules:
        if rule.selector in (":root", "html"):
            found.update({k: v for k, v in rule.declarations.items() if k.startswith("--")})
    return found


def resolve(value: str, properties: dict[str, str]) -> str:
    for _ in range(10):
        value = _VAR.sub(lambda m: properties.get(m.group(1), m.group(2) or ""), value)
    return value


def colour(value: str) -> Colour | None:
    """The first colour a value names (``3px solid #fa0`` → orange); ``None`` if none."""
    for token in re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)|[a-z]+", value):
        if token.startswith("#"):
            digits = token[1:]
            if len(digits) in (3, 4):
                digits = "".join(d * 2 for d in digits[:3])
            return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
        if token.startswith("rgb"):
            red, green, blue = (float(n) for n in re.findall(r"[\d.]+", token)[:3])
            return round(red), round(green), round(blue)
        if token in _NAMED:
            return _NAMED[token]
    return None


def luminance(rgb: Colour) -> float:
    """WCAG 2.x relative luminance."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: Colour, second: Colour) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _is_large(declarations: dict[str, str]) -> bool:
    """Large text in WCAG's sense: 18pt (1.5rem), or 14pt (1.167rem) bold."""
    size = re.fullmatch(r"([\d.]+)(rem|em)", declarations.get("font-size", ""))
    rem = float(size.group(1)) if size else 1.0
    bold = declarations.get("font-weight", "") in ("bold", "bolder", "700", "800", "900")
    return rem >= 1.5 or (bold and rem >= 1.1667)


def failures(css: str) -> list[str]:
    """Every pairing of ``css`` below its WCAG minimum, in words (empty when none)."""
    found: list[str] = []
    for scheme, rules in schemes(rules_of(css)).items():
        properties = custom_properties(rules)
        backgrounds = {CANVAS[scheme]}
        texts: list[tuple[str, Colour, float]] = []
        for rule in rules:
            for name, raw in rule.declarations.items():
                value = colour(resolve(raw, properties))
                if value is None or name.startswith("--"):
                    continue
                if name in ("background", "background-color"):
                    backgrounds.add(value)
                elif name == "color":
                    minimum = LARGE_TEXT if _is_large(rule.declarations) else BODY_TEXT
                    texts.append((f"{rule.selector} {{color}}", value, minimum))
                elif name.startswith("outline") or (
                        name.startswith("border") and _CONTROLS.search(rule.selector)):
                    texts.append((f"{rule.selector} {{{name}}}", value, UI_COMPONENT))
        found += [f"{scheme}: {what} {rgb} on {ground}: {contrast(rgb, ground):.2f} < {least}"
                  for what, rgb, least in texts for ground in backgrounds
                  if contrast(rgb, ground) < least]
    return found


STYLE = (TEMPLATES / "style.css").read_text("utf-8")


def test_every_colour_of_the_site_meets_its_contrast_minimum() -> None:
    assert failures(STYLE) == []


def test_the_check_sees_text_links_muted_text_focus_and_controls() -> None:
    rules = rules_of(STYLE)
    selectors = {rule.selector for rule in rules}
    assert "a" in selectors and any("focus" in selector for selector in selectors)
    light = custom_properties(schemes(rules)["light"])
    assert {"--ink", "--muted", "--link", "--paper", "--focus"} <= set(light)
    assert colour(resolve("3px solid var(--focus)", light)) is not None


@pytest.mark.parametrize(("css", "expected"), [
    (":root { --muted: #999; } .meta { color: var(--muted); }", "color"),
    ("a:focus-visible { outline: 3px solid #f0a500; }", "outline"),
    ("input { border: 2px solid #ccc; }", "border"),
    ("p { color: #333; } aside { background: #666; }", "color"),
    ("@media (prefers-color-scheme: dark) { :root { --ink: #222; } } "
     "body { color: var(--ink); background: #111; }", "dark"),
])
def test_the_check_finds_colours_that_fail(css: str, expected: str) -> None:
    assert any(expected in failure for failure in failures(css))


def test_large_text_needs_three_to_one_and_the_ratio_is_wcags() -> None:
    assert round(contrast((255, 255, 255), (0, 0, 0)), 2) == 21.0
    assert round(contrast((0x76, 0x76, 0x76), (255, 255, 255)), 2) == 4.54
    large = "h1 { font-size: 2rem; color: #888; }"
    assert failures(large) == [] and failures(large.replace("2rem", "1rem")) != []
