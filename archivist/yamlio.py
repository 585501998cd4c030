"""YAML in and out, safely, with every scalar kept as the text written.

Reading walks the parser's *events* and builds values itself instead of using a
PyYAML constructor, because:

* YAML 1.1 typing corrupts text (``no`` → ``False``, ``0123`` → ``83``, ``2021-02-09``
  → a date): here every scalar is the string written, and only an unquoted ``~``,
  ``null`` or empty value means absent;
* anchors, aliases and merge keys (the "billion laughs" bomb) are refused on sight,
  before anything can expand;
* nesting is counted as it opens, so ``[[[[…`` 100,000 deep is refused without
  recursion;
* duplicate keys, which PyYAML silently resolves to the last, are refused;
* every mapping remembers where it and each of its keys stood, so errors can say
  ``file:line:column``.

Only the standard ``!!str``, ``!!map`` and ``!!seq`` tags are accepted.
"""

from __future__ import annotations

import re
from typing import Any

from archivist.errors import ArchivistError

#: Default largest input, in bytes (``--max-size``).
MAX_SIZE = 10 * 1024 * 1024
#: Deepest nesting of mappings and sequences accepted.
MAX_DEPTH = 64
_ALLOWED_TAGS = frozenset({None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map",
                           "tag:yaml.org,2002:seq"})
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
# C0 controls other than tab, LF and CR, DEL, and the C1 block.
_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class YamlError(ArchivistError, ValueError):
    """The input is not acceptable YAML; the message starts with ``name:line:column``."""

    def __init__(self, name: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{name}:{line}:{column}: {message}")
        self.name, self.line, self.column, self.problem = name, line, column, message


class MarkedDict(dict[str, Any]):
    """A mapping read from YAML that remembers its own and its keys' positions (1-based)."""

    mark: tuple[int, int] = (1, 1)
    key_marks: dict[str, tuple[int, int]]

    def position(self, key: str | None = None) -> tuple[int, int]:
        """Where ``key`` (or the mapping itself) stood: ``(line, column)``."""
        if key is not None and key in getattr(self, "key_marks", {}):
            return self.key_marks[key]
        return self.mark


def decode(data: bytes, name: str, max_size: int = MAX_SIZE) -> str:
    """Check size, encoding and characters of raw input and return its text.

    A UTF-8 byte order mark is accepted and dropped; UTF-16 and other encodings are not.
    """
    if len(data) > max_size:
        raise YamlError(name, 1, 1, f"the file is {len(data):,} bytes, over the limit of "
                                    f"{max_size:,} (--max-size)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlError(name, 1, 1, "the file is UTF-16; archivist reads UTF-8 only")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise YamlError(name, line, column, "the file is not valid UTF-8") from None
    bad = _BAD_CHAR.search(text)
    if bad:
        before_text = text[: bad.start()]
        line = before_text.count("\n") + 1
        column = bad.start() - (before_text.rfind("\n") + 1) + 1
        raise YamlError(name, line, column,
                        f"control character U+{ord(bad.group()):04X} is not allowed")
    return text


def load_all(data: bytes | str, name: str = "<input>", *, max_size: int = MAX_SIZE,
             max_depth: int = MAX_DEPTH) -> list[Any]:
    """Every document of a YAML (or JSON) stream, scalars as text.

    :param name: the file name used in error messages.
    :raises YamlError: naming ``name:line:column`` for the first problem.
    """
    import yaml

    text = decode(data.encode("utf-8") if isinstance(data, str) else data, name, max_size)
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    documents: list[Any] = []
    stack: list[Any] = []          # containers being built
    pending_keys: list[Any] = []   # for each open mapping: the key awaiting its value
    try:
        for event in yaml.parse(text, Loader=loader):
            start = event.start_mark
            where = (start.line + 1, start.column + 1) if start is not None else (1, 1)
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise YamlError(name, *where, "anchors and aliases (& and *) are not allowed")
            tag = getattr(event, "tag", None)
            if tag not in _ALLOWED_TAGS:
                raise YamlError(name, *where, f"the tag {tag} is not allowed")
            value: Any
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) >= max_depth:
                    raise YamlError(name, *where, f"nesting deeper than {max_depth} levels")
                if isinstance(event, yaml.MappingStartEvent):
                    container: Any = MarkedDict()
                    container.mark = where
                    container.key_marks = {}
                else:
                    container = []
                stack.append(container)
                pending_keys.append(None)
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                value = stack.pop()
                pending_keys.pop()
            elif isinstance(event, yaml.ScalarEvent):
                plain = event.style in (None, "") and tag is None
                value = None if plain and event.value in _NULLS else event.value
            else:
                continue
            if not stack:
                documents.append(value)
                continue
            parent = stack[-1]
            if isinstance(parent, list):
                parent.append(value)
            elif pending_keys[-1] is None:
                if not isinstance(value, str):
                    raise YamlError(name, *where, "a mapping key must be plain text")
                if value == "<<" and getattr(event, "style", None) in (None, ""):
                    raise YamlError(name, *where, "merge keys (<<) are not allowed")
                if value in parent:
                    first = parent.key_marks[value]
                    raise YamlError(name, *where, f"duplicate key {value!r} (first at line "
                                                  f"{first[0]})")
                parent.key_marks[value] = where
                pending_keys[-1] = (value,)
            else:
                parent[pending_keys[-1][0]] = value
                pending_keys[-1] = None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise YamlError(name, line, column, str(err.problem or err.context)) from None
    except yaml.YAMLError as err:
        raise YamlError(name, 1, 1, str(err)) from None
    return documents


def dump(data: Any) -> str:
    """YAML for people: block style, Unicode as written, keys in the order given.

    Strings that YAML 1.1 would read as something else (``no``, ``0123``,
    ``2021-02-09``) are quoted by the dumper, so the output reads back unchanged.
    """
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100)


def dump_all(documents: list[Any]) -> str:
    """Several documents as one YAML stream separated by ``---``."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump_all(documents, Dumper=dumper, allow_unicode=True, sort_keys=False,
                         default_flow_style=False, width=100, explicit_start=True)
