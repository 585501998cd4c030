"""YAML in and out, safely, with every scalar kept as the text written.

Reading walks the parser's *events* and builds values itself instead of using a
PyYAML constructor, because:

* YAML 1.1 typing corrupts text (``no`` → ``False``, ``0123`` → ``83``, ``2021-02-09``
  → a date): here every scalar is the string written, and only an unquoted ``~``,
  ``null`` or empty value means absent;
* anchors, aliases and merge keys (the "billion laughs" bomb) are refused on sight,
  before anything can expand;
* nesting is counted as it opens, so ``[[[[…`` or ``- - - …`` 100,000 deep is refused
  without recursion (and with the same message when libyaml's own limit of 1000,
  reached while it looks ahead, trips first);
* duplicate keys, which PyYAML silently resolves to the last, are refused;
* every mapping and sequence remembers where it and each of its keys or items stood,
  so errors can say ``file:line:column``.

Only the standard ``!!str``, ``!!map`` and ``!!seq`` tags are accepted.  JSON is read
by the same code (it is YAML, nearly): ``\\uD83D\\uDE00`` surrogate pairs, which JSON
writers use for characters beyond the BMP and YAML does not know, are joined first.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterator
from sys import intern
from typing import Any

from archivist.errors import ArchivistError

#: Default largest input, in bytes (``import --max-size`` changes it).
MAX_SIZE = 10 * 1024 * 1024
#: Deepest nesting of mappings and sequences accepted.
MAX_DEPTH = 64
_ALLOWED_TAGS = frozenset({None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map",
                           "tag:yaml.org,2002:seq"})
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_ANCHORS = "anchors and aliases (& and *) are not allowed"
# C0 controls other than tab, LF and CR, DEL, and the C1 block.
_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class YamlError(ArchivistError, ValueError):
    """The input is not acceptable YAML; the message starts with ``name:line:column``."""

    def __init__(self, name: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{name}:{line}:{column}: {message}")
        self.name, self.line, self.column, self.problem = name, line, column, message


class MarkedDict(dict[str, Any]):
    """A mapping read from YAML that remembers its own and its keys' positions (1-based)."""

    # Slots, not a __dict__ per mapping, and each key's position packed into one
    # int (see _pack): a large import holds hundreds of thousands of them.
    __slots__ = ("key_marks", "mark")
    mark: tuple[int, int]
    key_marks: dict[str, int]

    def position(self, key: str | None = None) -> tuple[int, int]:
        """Where ``key`` (or the mapping itself) stood: ``(line, column)``."""
        marks: dict[str, int] = getattr(self, "key_marks", {})
        if key is not None and key in marks:
            return _unpack(marks[key])
        mark: tuple[int, int] = getattr(self, "mark", (1, 1))
        return mark


class MarkedList(list[Any]):
    """A sequence read from YAML that remembers its own and its items' positions (1-based)."""

    __slots__ = ("item_marks", "mark")
    mark: tuple[int, int]
    item_marks: list[int]

    def position(self, index: int | None = None) -> tuple[int, int]:
        """Where item ``index`` (or the sequence itself) stood: ``(line, column)``."""
        marks: list[int] = getattr(self, "item_marks", [])
        if index is not None and -len(marks) <= index < len(marks):
            return _unpack(marks[index])
        mark: tuple[int, int] = getattr(self, "mark", (1, 1))
        return mark


def _pack(line: int, column: int) -> int:
    """A position as one int (half the memory of a tuple): line high, column low."""
    return line << 32 | column


def _unpack(packed: int) -> tuple[int, int]:
    return packed >> 32, packed & 0xFFFFFFFF


def decode(data: bytes, name: str, max_size: int = MAX_SIZE) -> str:
    """Check size, encoding and characters of raw input and return its text.

    A UTF-8 byte order mark is accepted and dropped; UTF-16 and other encodings are not.
    """
    if len(data) > max_size:
        raise YamlError(name, 1, 1, f"the file is {len(data):,} bytes, over the limit of "
                                    f"{max_size:,}")
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

    Mappings come back as :class:`MarkedDict` and sequences as :class:`MarkedList`,
    so callers can name the position of any value they refuse.

    :param name: the file name used in error messages.
    :raises YamlError: naming ``name:line:column`` for the first problem.
    """
    source, _ = prepare(data.encode("utf-8") if isinstance(data, str) else data, name,
                        max_size)
    with paused_gc():
        return [value for _, value, _, _ in _compose(source, name, max_depth)]


def prepare(data: bytes, name: str, max_size: int = MAX_SIZE, *, strict_json: bool = False
            ) -> tuple[bytes | str, int]:
    """Check raw input as :func:`decode` does, and ready it for :func:`records`.

    :param strict_json: refuse what strict JSON does not allow (:func:`check_json`),
        as for a ``.json`` file; YAML's leniency is for YAML.
    :returns: what the parser reads (the bytes themselves, half the memory of their
        text, unless surrogate pairs had to be joined) and its length in characters.
    :raises YamlError: naming ``name:line:column`` for the first problem.
    """
    text = decode(data, name, max_size)
    if strict_json:
        check_json(text, name)
    if "\\u" in text and _SURROGATE_PAIR.search(text):
        # JSON writers (Python's json.dumps among them) escape characters beyond the
        # BMP as UTF-16 surrogate pairs, which YAML does not know: join them first.
        return _join_surrogate_pairs(text), len(text)
    # libyaml reads UTF-8 bytes as it reads text (it encodes text to UTF-8 first).
    return (data[3:] if data.startswith(b"\xef\xbb\xbf") else data), len(text)


def records(source: bytes | str, name: str = "<input>", *, max_depth: int = MAX_DEPTH
            ) -> Iterator[tuple[int, Any, tuple[int, int], int]]:
    """Each record of a YAML stream read by :func:`prepare`, as soon as it is read.

    A document that is a sequence gives each of its items; an empty document gives
    nothing; any other document gives itself.  Only one record's values are held at a
    time, so an import of 10,000 records never holds them all.

    :returns: ``(document number, value, (line, column), characters read so far)``
        for each, the position that of the item (``(1, 1)`` for a whole document).
    :raises YamlError: naming ``name:line:column`` for the first problem, once the
        records before it are given.
    """
    return _compose(source, name, max_depth, split=True)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cycle collector while many long-lived objects are built.

    Building a large document makes hundreds of thousands of containers that all
    survive; each collection would walk them again, which costs more than the
    building itself.  Nothing built here forms a cycle, so nothing is missed.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_json(text: str, name: str) -> None:
    """Refuse ``text`` unless it is strict JSON (RFC 8259).

    The YAML reader, which builds the values with their positions, would take a
    trailing comma, single quotes or a bare word; a comment stops it with a message
    about YAML.  Here each is a syntax error with its line and column.  Nothing is
    kept of what this parses: each object is dropped as soon as it is read.

    :raises YamlError: naming ``name:line:column`` of the first problem.
    """
    import json

    try:
        json.loads(text, object_pairs_hook=_dropped, parse_constant=_refused_constant)
        return
    except RecursionError:
        return  # too deep for Python's parser: the YAML reader refuses it by depth
    except ValueError:
        pass
    import orjson

    try:
        # Only to say what is wrong and where: its messages are the clearer ones.
        orjson.loads(text)
    except orjson.JSONDecodeError as err:
        line, column, problem = err.lineno, err.colno, err.msg
    else:
        return
    lines = text.split("\n", line)
    at = lines[line - 1][column - 1:column + 1] if line <= len(lines) else ""
    if at.startswith(("//", "/*", "#")):
        problem = "a comment is not allowed"
    elif not text.strip():
        problem = "the file is empty"
    raise YamlError(name, line, column, f"not valid JSON: {problem} (a .json file is read as "
                                        "strict JSON; YAML's leniency is for .yaml files)")


def _dropped(pairs: Any) -> None:
    return None


def _refused_constant(word: str) -> Any:
    raise ValueError(f"{word} is not JSON")


# A ``\uD83D\uDE00`` pair inside a double-quoted scalar (not itself escaped).
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})",
                             re.IGNORECASE)
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _join_surrogate_pairs(text: str) -> str:
    """``text`` with escaped surrogate pairs in double-quoted scalars as one ``\\U`` escape."""
    def join(match: re.Match[str]) -> str:
        high, low = int(match[2], 16), int(match[3], 16)
        return f"{match[1]}\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"

    return _DOUBLE_QUOTED.sub(lambda quoted: _SURROGATE_PAIR.sub(join, quoted[0]), text)


def _compose(source: bytes | str, name: str, max_depth: int, split: bool = False
             ) -> Iterator[tuple[int, Any, tuple[int, int], int]]:
    """Build the values of ``source`` from the parser's events (see the module doc).

    :param split: give each item of a document that is a sequence as soon as it is
        complete, instead of the document (see :func:`records`).
    :returns: ``(document number, value, position, characters read)`` for each.
    """
    import yaml

    try:
        yield from _built(yaml, source, name, max_depth, split)
    except yaml.YAMLError as err:
        raise _parser_problem(err, source, name, max_depth) from None


def _built(yaml: Any, source: bytes | str, name: str, max_depth: int, split: bool
           ) -> Iterator[tuple[int, Any, tuple[int, int], int]]:
    """The loop of :func:`_compose`: one step per parser event."""
    # Dispatch on the exact event class: this loop runs once per scalar and
    # collection, so it is what an import of many records spends its time on.
    scalar, alias, stream_end = yaml.ScalarEvent, yaml.AliasEvent, yaml.StreamEndEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    allowed, nulls = _ALLOWED_TAGS, _NULLS
    get_event = getattr(yaml, "CBaseLoader", yaml.BaseLoader)(source).get_event
    number = 0                 # the document being read, from 1
    outer: Any = None          # when splitting, the sequence whose items are given
    stack: list[Any] = []      # the containers being built, innermost last
    saved: list[Any] = []      # for each open container: its parent's awaiting key
    parent: Any = None         # stack[-1], or None between documents
    key: Any = None            # the key of ``parent`` awaiting its value, if any
    value: Any
    while True:
        event = get_event()
        kind = event.__class__
        if kind is scalar:
            tag = event.tag
            if event.anchor is not None or (tag is not None and tag not in allowed):
                _refuse_scalar(event, name)
            value = None if tag is None and not event.style and event.value in nulls \
                else event.value
            if key is not None:
                parent[key] = value
                key = None
            elif parent is None:
                if value is not None or not split:
                    yield number, value, (1, 1), event.end_mark.index
            elif parent is outer:
                yield number, value, _where(event), event.end_mark.index
            elif parent.__class__ is MarkedList:
                mark = event.start_mark
                parent.item_marks.append((mark.line + 1) << 32 | (mark.column + 1))
                parent.append(value)
            else:
                key = _mapping_key(parent, value, event, name)
        elif kind is mapping_start or kind is sequence_start:
            container = _opened(event, kind is mapping_start, len(stack), name, max_depth)
            if parent is not None and key is None:
                if parent.__class__ is not MarkedList:
                    raise YamlError(name, *_where(event), "a mapping key must be plain text")
                if parent is not outer:
                    parent.item_marks.append(_pack(*container.mark))
            if split and parent is None and kind is sequence_start:
                outer = container
            stack.append(container)
            saved.append(key)
            parent, key = container, None
        elif kind is mapping_end or kind is sequence_end:
            value = stack.pop()
            key = saved.pop()
            if not stack:
                parent = None
                if value is outer:
                    outer = None
                else:
                    yield number, value, (1, 1), event.end_mark.index
            else:
                parent = stack[-1]
                if key is not None:
                    parent[key] = value
                    key = None
                elif parent is outer:
                    yield number, value, value.mark, event.end_mark.index
                else:
                    parent.append(value)
        elif kind is yaml.DocumentStartEvent:
            number += 1
        elif kind is alias:
            raise YamlError(name, *_where(event), _ANCHORS)
        elif kind is stream_end:
            return


def _where(event: Any) -> tuple[int, int]:
    """Where a parser event stood: ``(line, column)``, 1-based."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _refuse_scalar(event: Any, name: str) -> None:
    """Refuse a scalar with an anchor or a tag other than the standard ones."""
    if event.anchor is not None:
        raise YamlError(name, *_where(event), _ANCHORS)
    raise YamlError(name, *_where(event), f"the tag {event.tag} is not allowed")


def _mapping_key(mapping: MarkedDict, key: str | None, event: Any, name: str) -> str:
    """``key``, read next in ``mapping``, checked and its position noted; interned,
    since every record repeats the same few keys."""
    if key is None:
        raise YamlError(name, *_where(event), "a mapping key must be plain text")
    if key in mapping:
        first = mapping.key_marks[key] >> 32
        raise YamlError(name, *_where(event), f"duplicate key {key!r} (first at line "
                                              f"{first})")
    if key == "<<" and not event.style:
        raise YamlError(name, *_where(event), "merge keys (<<) are not allowed")
    mark = event.start_mark
    key = intern(key)
    mapping.key_marks[key] = (mark.line + 1) << 32 | (mark.column + 1)
    return key


def _opened(event: Any, mapping: bool, depth: int, name: str, max_depth: int
            ) -> MarkedDict | MarkedList:
    """The empty mapping (or sequence) a start event opens, ``depth`` containers deep."""
    if event.anchor is not None:
        raise YamlError(name, *_where(event), _ANCHORS)
    if event.tag not in _ALLOWED_TAGS:
        raise YamlError(name, *_where(event), f"the tag {event.tag} is not allowed")
    if depth >= max_depth:
        raise YamlError(name, *_where(event), f"nesting deeper than {max_depth} levels")
    container: MarkedDict | MarkedList
    if mapping:
        container = MarkedDict()
        container.key_marks = {}
    else:
        container = MarkedList()
        container.item_marks = []
    container.mark = _where(event)
    return container


def _parser_problem(err: Any, source: bytes | str, name: str, max_depth: int
                    ) -> YamlError:
    """What the parser refused, as a :class:`YamlError` naming ``name:line:column``."""
    import yaml

    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = str(err.problem or err.context)
        if "nesting depth" in problem:
            # libyaml's own limit (1000) can trip before ours is reached, while it
            # looks ahead; the user should see the same message either way.
            problem = f"nesting deeper than {max_depth} levels"
        return YamlError(name, line, column, problem)
    if isinstance(err, yaml.reader.ReaderError):
        # A character YAML does not allow (U+FFFE, say): named by its line and column,
        # not by libyaml's offset into "<byte string>".
        text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
        before = text[:err.position]
        return YamlError(name, before.count("\n") + 1, len(before) - before.rfind("\n"),
                         f"character U+{err.character:04X} is not allowed in YAML"
                         if isinstance(err.character, int) else str(err.reason))
    return YamlError(name, 1, 1, str(err))


def dump(data: Any) -> str:
    """YAML for people: block style, Unicode as written, keys in the order given.

    Strings that YAML 1.1 would read as something else (``no``, ``0123``,
    ``2021-02-09``) are quoted by the dumper, so the output reads back unchanged.
    Every printable character is written as it is, emoji beyond the Basic
    Multilingual Plane included (see :func:`dump_all`); control characters and other
    characters that are not printable are escaped (``\\e``, ``\\u200B``).
    """
    return dump_all([data], explicit_start=False)


def dump_all(documents: list[Any], *, explicit_start: bool = True) -> str:
    """Several documents as one YAML stream separated by ``---``.

    libyaml writes every character beyond the Basic Multilingual Plane as an escape
    (``"\\U0001F6A9"`` for 🚩), printable or not.  When it did, those characters are
    stood in for by private-use characters the documents do not hold, which libyaml
    writes as they are, and put back in its output: the quoting libyaml chooses for
    the stand-ins is right for the characters, so the text reads back the same.
    """
    text = _emit(documents, explicit_start)
    if "\\U" not in text:
        return text
    astral = _printable_astral(documents)
    if not astral:
        return text
    taken = set(_PRIVATE_USE.findall(text))
    free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in taken)
    # More distinct characters than free stand-ins (6,400) stay escaped.
    standing = dict(zip(sorted(astral), free))
    text = _emit(_replaced(documents, str.maketrans(standing)), explicit_start)
    return text.translate({ord(v): k for k, v in standing.items()})


# Characters beyond the Basic Multilingual Plane, and the private-use block.
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
_PRIVATE_USE = re.compile("[\uE000-\uF8FF]")


def _emit(documents: list[Any], explicit_start: bool) -> str:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump_all(documents, Dumper=dumper, allow_unicode=True, sort_keys=False,
                         default_flow_style=False, width=100, explicit_start=explicit_start)


def _printable_astral(value: Any) -> set[str]:
    """The printable characters beyond the BMP in the text, keys included, of ``value``."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.update(c for c in _ASTRAL.findall(item) if c.isprintable())
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return found


def _replaced(value: Any, table: dict[int, Any]) -> Any:
    """``value`` with ``table`` applied to all its text (keys included), in a copy."""
    if isinstance(value, str):
        return value.translate(table)
    if isinstance(value, dict):
        return {_replaced(k, table): _replaced(v, table) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_replaced(v, table) for v in value]
    return value
