"""The query language of ``list``, ``export`` and ``verify``.

A query is a list of terms; a record matches when every term matches.  Matching
ignores case and accents: ``Zolkiewski`` finds ``Żółkiewski``, ``ежик`` finds ``Ёжик``,
and typographic quotes and dashes match their ASCII forms (``o'brien`` finds
``O’Brien``).  An empty query matches every record.

Grammar (``NOT`` binds tighter than ``AND``, which binds tighter than ``OR``)::

    query    := [or_expr]
    or_expr  := and_expr { ("OR" | "|") and_expr }
    and_expr := unary { ["AND"] unary }               (juxtaposition is AND)
    unary    := { "NOT" | "-" } atom                  ("-" only at the start of a term)
    atom     := "(" or_expr ")" | term
    term     := word | phrase | name ":" ["="] (word | phrase)
    phrase   := '"' text '"'                          (\\" and \\\\ escape inside)

``OR``, ``AND`` and ``NOT`` are operators only in capitals; ``or`` is a word.  A ``-``
inside a word (``dear-comrades``) is part of it.  ``(``, ``)`` and ``|`` end a word, so
quote a phrase to search for them.

========================================  ================================================
query                                     matches records …
========================================  ================================================
``novocherkassk``                         with the word in title, subtitle, summary or
                                          creators (a substring, so ``film`` finds ``films``)
``dear comrades``                         with both words, anywhere in those fields
``"dear comrades"``                       with the phrase
``creator:weiss``  ``publisher:wsws``     whose field contains the text (``creator`` is
                                          ``creators``); a list matches on any element
``title:"dear comrades"``                 whose field contains the phrase
``title:="Dear Comrades"``                whose field is exactly that (in any case)
``kicker:stalin``  ``fields.kicker:x``    a custom field (a name outside the schema)
``source.path:seeds/``                    a dotted path into ``source``/``fields``/``archive``
``tag:Film``  ``tags:film``  ``tag:fi*``  with that tag (whole tag, any case; ``*`` globs)
``id:weiss-2021``  ``id:weiss-*``         with that id (any case; ``*`` globs)
``kind:article``                          of that kind (a kind that does not exist is an
                                          error)
``lang:en``  ``language:en``              in that language (``en`` also finds ``en-GB``)
``date:1962``  ``date:1962-06-02``        whose date overlaps that year, month or day
``date:1920..1925``  ``date:..1930``      whose date overlaps the range (open at one end);
``date:2019..``                           an undated record never matches
``added:2024-05``  ``changed:2024..``     added / last changed then (UTC days)
``fixity:ok``  ``fixity:changed``         whose last fixity check said so (``missing``,
                                          ``unreadable`` too)
``fixity:never``                          with a source that was never checked
``has:url``  ``missing:date``             where the field is present and not empty / not;
``has:fields.kicker``  ``has:links``      ``source``, ``fields.x`` and ``links`` work too
``rel:part-of:wsws-history``              that are part of that record (either name of a
``rel:has-part:dear-comrades``            relation pair, each read from this record's end)
``rel:references``                        with any link of that relation
``linked:wsws-history``                   linked to that record, in any relation
``-tag:film``  ``NOT tag:film``           without that tag
``tag:film OR tag:book``  ``a | b``       with either
``(tag:film OR tag:book) -kind:review``   grouped with parentheses
========================================  ================================================

Parsed examples::

    >>> parse('-tag:film')
    Not(operand=Tag(pattern='film'))
    >>> parse('date:..1930')
    Dates(name='date', earliest='0001-01-01', latest='1930-12-31')
    >>> parse('a OR b c')
    Or(operands=(Text(value='a'), And(operands=(Text(value='b'), Text(value='c')))))
    >>> parse('kicker:=Stalin')
    Field(path='fields.kicker', value='Stalin', exact=True)

A malformed query raises :class:`~archivist.errors.QuerySyntaxError` with the 1-based
column of the fault: unbalanced parentheses, a dangling ``OR``/``AND``/``NOT``/``-``, an
empty value (``title:``), an unterminated phrase, a bad date (``date:2021-13``), an
unknown kind, fixity result or relation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from archivist.dates import OPEN_END, OPEN_START, date_bounds
from archivist.errors import ArchivistError, InvalidRecord, QuerySyntaxError
from archivist.models import DATES_KEY, DEFAULT_KIND, KINDS

Predicate = Callable[[dict[str, Any]], bool]

#: Schema fields that bare words search.
TEXT_SEARCH_FIELDS: tuple[str, ...] = ("title", "subtitle", "summary", "creators")
#: Field names the query accepts for schema keys, beyond the keys themselves.
ALIASES: dict[str, str] = {"creator": "creators", "tag": "tags", "lang": "language"}
#: Results ``fixity:`` accepts; ``never`` means a source that was never checked.
FIXITY_RESULTS: tuple[str, ...] = ("ok", "changed", "missing", "unreadable", "never")
#: Parentheses nested deeper than this are refused (they would only exhaust the stack).
MAX_DEPTH = 64

_DOC_KEYS = frozenset({"id", "kind", "title", "subtitle", "creators", "date", "publisher",
                       "language", "url", "summary", "tags", "source", "fields", "archive"})
_ARCHIVE_KEYS = frozenset({"added", "added_by", "added_how", "changed", "fixity"})
_SYMMETRIC_FALLBACK = frozenset({"duplicate-of", "related"})
_FIELD_PREFIX = re.compile(r"([^\W\d][\w.\-]*):(=?)")
_WORD_END = frozenset('()|"')
_KEYWORDS = frozenset({"OR", "AND", "NOT"})
# Combining marks left by NFKD: accents, the breve of й and the diaeresis of ё.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Letters NFKD does not decompose, and typographic punctuation, folded to plain forms.
_FOLD_TABLE = str.maketrans({
    "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
    "«": '"', "»": '"', "‐": "-", "‑": "-", "–": "-", "—": "-",
})


def fold(text: str) -> str:
    """Text reduced for loose matching: case-folded, accents and typography removed."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold())).translate(
        _FOLD_TABLE)


def exact_key(text: str) -> str:
    """Text reduced for whole-value comparison: case-folded and composed (NFC)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", text.casefold())


# -- the syntax tree -----------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """Base of the query syntax tree; equality covers every attribute."""


@dataclass(frozen=True)
class Everything(Node):
    """The empty query: matches every record."""


@dataclass(frozen=True)
class Text(Node):
    """A bare word or phrase, searched in :data:`TEXT_SEARCH_FIELDS`."""

    value: str


@dataclass(frozen=True)
class Field(Node):
    """``path`` (dotted, resolved) contains ``value``, or equals it when ``exact``."""

    path: str
    value: str
    exact: bool = False


@dataclass(frozen=True)
class Tag(Node):
    """A tag equal to ``pattern`` in any case, ``*`` matching any run of characters."""

    pattern: str


@dataclass(frozen=True)
class Id(Node):
    """An id equal to ``pattern`` in any case, ``*`` matching any run of characters."""

    pattern: str


@dataclass(frozen=True)
class Kind(Node):
    """The record's kind is ``value``."""

    value: str


@dataclass(frozen=True)
class Language(Node):
    """The language is ``value`` or a variant of it (``en`` covers ``en-GB``)."""

    value: str


@dataclass(frozen=True)
class Dates(Node):
    """The days of ``name`` (``date``, ``added`` or ``changed``) overlap the range."""

    name: str
    earliest: str
    latest: str


@dataclass(frozen=True)
class Fixity(Node):
    """The last fixity check gave ``result`` (``never``: a source never checked)."""

    result: str


@dataclass(frozen=True)
class Has(Node):
    """``path`` is present and not empty; ``links`` means the record has a link."""

    path: str


@dataclass(frozen=True)
class Rel(Node):
    """The record is ``rel`` of ``target`` (any record when ``target`` is ``None``)."""

    rel: str
    target: str | None = None


@dataclass(frozen=True)
class Linked(Node):
    """The record is linked with ``target`` in either direction, by any relation."""

    target: str


@dataclass(frozen=True)
class Not(Node):
    """The operand does not match."""

    operand: Node


@dataclass(frozen=True)
class And(Node):
    """Every operand matches."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or(Node):
    """At least one operand matches."""

    operands: tuple[Node, ...]


# -- tokens ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "OR", "AND", "NOT", "-" or "term"
    column: int
    name: str | None = None
    exact: bool = False
    value: str = ""
    value_column: int = 0


def _read_phrase(text: str, start: int) -> tuple[str, int]:
    """Read the phrase whose opening quote is at ``start``; return it and the next index."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
        elif char == '"':
            if not out:
                raise QuerySyntaxError("empty phrase", text, start + 1)
            return "".join(out), i + 1
        else:
            out.append(char)
            i += 1
    raise QuerySyntaxError("unterminated phrase (a '\"' is missing)", text, start + 1)


def _read_word(text: str, start: int) -> int:
    i = start
    while i < len(text) and not text[i].isspace() and text[i] not in _WORD_END:
        i += 1
    return i


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, i + 1))
            i += 1
        elif char == "|":
            tokens.append(_Token("OR", i + 1))
            i += 1
        elif char == "-":
            if i + 1 >= n or text[i + 1].isspace() or text[i + 1] in ")|":
                raise QuerySyntaxError("'-' must be followed by the term it negates", text,
                                       i + 1)
            tokens.append(_Token("-", i + 1))
            i += 1
        elif char == '"':
            value, end = _read_phrase(text, i)
            tokens.append(_Token("term", i + 1, value=value, value_column=i + 2))
            i = end
        else:
            match = _FIELD_PREFIX.match(text, i)
            if match is None:
                end = _read_word(text, i)
                word = text[i:end]
                kind = word if word in _KEYWORDS else "term"
                tokens.append(_Token(kind, i + 1, value=word, value_column=i + 1))
                i = end
                continue
            name, exact, j = match.group(1), bool(match.group(2)), match.end()
            if j < n and text[j] == '"':
                value, end = _read_phrase(text, j)
                value_column = j + 2
            else:
                end = _read_word(text, j)
                value, value_column = text[j:end], j + 1
                if not value:
                    raise QuerySyntaxError(f"'{text[i:j]}' needs a value", text, i + 1)
            tokens.append(_Token("term", i + 1, name, exact, value, value_column))
            i = end
    return tokens


# -- parsing -----------------------------------------------------------------------------


def _field_path(name: str) -> str:
    """The dotted document path a field name stands for."""
    head, dot, rest = name.partition(".")
    key = ALIASES.get(head.lower(), head.lower())
    if key in _DOC_KEYS:
        return key + dot + rest
    if key in _ARCHIVE_KEYS:
        return "archive." + key + dot + rest
    return "fields." + name


def _relations() -> tuple[Callable[[str], tuple[str, bool]] | None, frozenset[str]]:
    """The relation vocabulary: ``canonical`` (``None`` if unavailable) and the symmetric."""
    try:
        from archivist import links
    except ImportError:
        return None, _SYMMETRIC_FALLBACK
    resolve = getattr(links, "canonical", None)
    symmetric = frozenset(getattr(links, "SYMMETRIC", _SYMMETRIC_FALLBACK))
    return resolve, symmetric


def _date_range(value: str, query: str, column: int) -> tuple[str, str]:
    def bounds(part: str, col: int) -> tuple[str, str]:
        if not part.isascii():
            raise QuerySyntaxError(f"bad date {part!r}", query, col)
        try:
            return date_bounds(part)
        except InvalidRecord as err:
            raise QuerySyntaxError(str(err), query, col) from None

    if ".." not in value:
        return bounds(value, column)
    start, _, end = value.partition("..")
    if not start and not end:
        raise QuerySyntaxError("a date range needs at least one end", query, column)
    earliest = bounds(start, column)[0] if start else OPEN_START
    latest = bounds(end, column + len(start) + 2)[1] if end else OPEN_END
    if earliest > latest:
        raise QuerySyntaxError(f"the date range {value!r} ends before it starts", query,
                               column)
    return earliest, latest


def _term(token: _Token, query: str) -> Node:
    """The node of one term, its value checked."""
    value, col = token.value, token.value_column
    if token.name is None:
        return Text(value)
    name = token.name.lower()
    if name in ("tag", "tags"):
        return Tag(value)
    if name == "id":
        return Id(value)
    if name == "kind":
        if value.lower() not in KINDS:
            raise QuerySyntaxError(f"unknown kind {value!r}; valid kinds: {', '.join(KINDS)}",
                                   query, col)
        return Kind(value.lower())
    if name in ("lang", "language"):
        return Language(value)
    if name in ("date", "added", "changed") and not token.exact:
        return Dates(name, *_date_range(value, query, col))
    if name == "fixity":
        if value.lower() not in FIXITY_RESULTS:
            raise QuerySyntaxError(f"unknown fixity result {value!r}; use "
                                   f"{', '.join(FIXITY_RESULTS)}", query, col)
        return Fixity(value.lower())
    if name in ("has", "missing"):
        path = "links" if value.lower() == "links" else _field_path(value)
        return Has(path) if name == "has" else Not(Has(path))
    if name == "rel":
        rel, sep, target = value.partition(":")
        if not rel:
            raise QuerySyntaxError("rel: needs a relation, as in rel:part-of:ID", query, col)
        if sep and not target:
            raise QuerySyntaxError(f"rel:{rel}: needs a record id after it", query, col)
        resolve, _ = _relations()
        if resolve is not None:
            try:
                resolve(rel)
            except (ArchivistError, ValueError, KeyError) as err:
                raise QuerySyntaxError(str(err), query, col) from None
        return Rel(rel.lower(), target or None)
    if name == "linked":
        return Linked(value)
    return Field(_field_path(token.name), value, token.exact)


class _Parser:
    """Recursive descent over the tokens; nesting is bounded by :data:`MAX_DEPTH`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def fail(self, message: str, column: int) -> QuerySyntaxError:
        return QuerySyntaxError(message, self.text, column)

    def parse(self) -> Node:
        if not self.tokens:
            return Everything()
        node = self.or_expr()
        extra = self.peek()
        if extra is not None:  # only a ")" can stop an or_expr early
            raise self.fail("unmatched ')'", extra.column)
        return node

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.pos += 1
            self.expect_term(token, "OR needs a term on both sides")
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.unary()]
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.pos += 1
                self.expect_term(token, "AND needs a term on both sides")
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def expect_term(self, operator: _Token, message: str) -> None:
        following = self.peek()
        if following is None or following.kind in ("OR", "AND", ")"):
            raise self.fail(message, operator.column)

    def unary(self) -> Node:
        negations = 0
        token = self.peek()
        while token is not None and token.kind in ("NOT", "-"):
            negations += 1
            self.pos += 1
            self.expect_term(token, "NOT needs a term after it" if token.kind == "NOT"
                             else "'-' must be followed by the term it negates")
            token = self.peek()
        if token is None:  # unreachable: callers and the loop check for a term
            raise self.fail("a term is missing", len(self.text) + 1)
        if token.kind in ("OR", "AND"):
            raise self.fail(f"{token.kind} needs a term on both sides", token.column)
        if token.kind == ")":
            raise self.fail("unmatched ')'", token.column)
        node = self.atom(token)
        return Not(node) if negations % 2 else node

    def atom(self, token: _Token) -> Node:
        self.pos += 1
        if token.kind != "(":
            return _term(token, self.text)
        if self.depth >= MAX_DEPTH:
            raise self.fail(f"parentheses nested deeper than {MAX_DEPTH}", token.column)
        following = self.peek()
        if following is None:
            raise self.fail("unclosed '('", token.column)
        if following.kind == ")":
            raise self.fail("empty parentheses", token.column)
        self.depth += 1
        node = self.or_expr()
        self.depth -= 1
        closing = self.peek()
        if closing is None or closing.kind != ")":
            raise self.fail("unclosed '('", token.column)
        self.pos += 1
        return node


def parse(text: str) -> Node:
    """Parse a query into its syntax tree.

    :param text: the query, as typed (see the module documentation for the grammar).
    :returns: the tree; :class:`Everything` for an empty or blank query.
    :raises QuerySyntaxError: for malformed input, with the 1-based column of the fault.
    """
    return _Parser(text).parse()


# -- command-line words ------------------------------------------------------------------


def _looks_like_syntax(word: str) -> bool:
    if word in _KEYWORDS or word == "|" or any(c in word for c in '()"'):
        return True
    if len(word) > 1 and word.startswith("-"):
        return True
    match = _FIELD_PREFIX.match(word)
    return match is not None and match.end() < len(word)


def join_words(words: Sequence[str]) -> str:
    """Join command-line words into one query, quoting a word that holds a phrase.

    A shell word with spaces (``list 'dear comrades'``, ``list 'title:dear comrades'``)
    becomes a phrase, unless its parts read as query syntax themselves (operators,
    parentheses, quotes, ``-term`` or ``field:value``), as in ``list 'a OR b'``.
    """
    out: list[str] = []
    for word in words:
        if not any(char.isspace() for char in word):
            if word:
                out.append(word)
            continue
        negation = "-" if word.startswith("-") else ""
        rest = word[len(negation):]
        match = _FIELD_PREFIX.match(rest)
        prefix = match.group(0) if match else ""
        rest = rest[len(prefix):]
        parts = rest.split()
        if not parts or any(_looks_like_syntax(part) for part in parts):
            out.append(word)
        else:
            escaped = rest.strip().replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'{negation}{prefix}"{escaped}"')
    return " ".join(out)


# -- compiling to predicates -------------------------------------------------------------


def _leaves(value: Any) -> Iterator[str]:
    """Every text (and number, as text) inside a field value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)


def _getter(path: str) -> Callable[[dict[str, Any]], Any]:
    """A function reading the dotted ``path`` from a document (custom names in any case)."""
    keys = path.split(".")
    if len(keys) == 1:
        key = keys[0]
        return lambda doc: doc.get(key)

    def get(doc: dict[str, Any]) -> Any:
        value: Any = doc
        for key in keys:
            if not isinstance(value, dict):
                return None
            found = value.get(key)
            if found is None:
                folded = key.casefold()
                found = next((v for k, v in value.items()
                              if isinstance(k, str) and k.casefold() == folded), None)
            value = found
        return value

    return get


def _glob(pattern: str) -> Callable[[str], bool]:
    """A case-insensitive whole-value test for ``pattern``, where ``*`` is any run."""
    key = exact_key(pattern)
    if "*" not in key:
        return lambda text: exact_key(text) == key
    regex = re.compile(".*".join(re.escape(part) for part in key.split("*")), re.DOTALL)
    return lambda text: regex.fullmatch(exact_key(text)) is not None


def _doc_key(doc: dict[str, Any]) -> str:
    value = doc.get("id")
    return value.lower() if isinstance(value, str) else ""


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, (str, list, tuple, dict)):
        return bool(value) and (not isinstance(value, str) or bool(value.strip()))
    return True


def _fixity_result(doc: dict[str, Any]) -> Any:
    info = doc.get("archive")
    check = info.get("fixity") if isinstance(info, dict) else None
    return check.get("result") if isinstance(check, dict) else None


class _Compiler:
    """Turns a tree into closures; shared work (the link index) is done once."""

    def __init__(self, archive: Any | None) -> None:
        self.archive = archive
        self._links: dict[str, set[tuple[str, bool, str]]] | None = None
        self._memo: list[tuple[object, str]] = [(None, "")]

    def links(self) -> dict[str, set[tuple[str, bool, str]]]:
        """Lower id → ``(rel as stored, outgoing, other lower id)``, from both ends."""
        if self._links is None:
            index: dict[str, set[tuple[str, bool, str]]] = {}
            stored: Iterable[Any] = () if self.archive is None else self.archive.link_documents()
            for link in stored:
                src, rel, dst = link.get("src"), link.get("rel"), link.get("dst")
                if isinstance(src, str) and isinstance(rel, str) and isinstance(dst, str):
                    index.setdefault(src.lower(), set()).add((rel.lower(), True, dst.lower()))
                    index.setdefault(dst.lower(), set()).add((rel.lower(), False, src.lower()))
            self._links = index
        return self._links

    def search_text(self, doc: dict[str, Any]) -> str:
        """The folded text bare words search, remembered for the latest document."""
        memo = self._memo[0]  # one tuple read, so threads never mix two documents
        if memo[0] is doc:
            return memo[1]
        parts: list[str] = []
        for name in TEXT_SEARCH_FIELDS:
            value = doc.get(name)
            if isinstance(value, str):
                parts.append(value)
            elif value:
                parts.extend(_leaves(value))
        text = fold("\x1f".join(parts))
        self._memo[0] = (doc, text)
        return text

    def ids_in(self, ids: set[str]) -> Predicate:
        return lambda doc: _doc_key(doc) in ids

    def compile(self, node: Node) -> Predicate:
        if isinstance(node, Everything):
            return lambda doc: True
        if isinstance(node, Not):
            inner = self.compile(node.operand)
            return lambda doc: not inner(doc)
        if isinstance(node, (And, Or)):
            return self.combine(node)
        if isinstance(node, Text):
            needle, text = fold(node.value), self.search_text
            return lambda doc: needle in text(doc)
        if isinstance(node, Field):
            return self.field(node)
        if isinstance(node, Tag):
            test = _glob(node.pattern)
            return lambda doc: any(test(t) for t in doc.get("tags", ()) if isinstance(t, str))
        if isinstance(node, Id):
            test = _glob(node.pattern)
            return lambda doc: test(_doc_key(doc))
        if isinstance(node, Kind):
            kind = node.value
            return lambda doc: doc.get("kind", DEFAULT_KIND) == kind
        if isinstance(node, Language):
            return self.language(node.value)
        if isinstance(node, Dates):
            return self.dates(node)
        if isinstance(node, Fixity):
            result = node.result
            if result == "never":
                return lambda doc: "source" in doc and not _fixity_result(doc)
            return lambda doc: _fixity_result(doc) == result
        if isinstance(node, Has):
            if node.path == "links":
                return self.ids_in(set(self.links()))
            get = _getter(node.path)
            return lambda doc: _present(get(doc))
        if isinstance(node, Rel):
            return self.rel(node)
        if isinstance(node, Linked):
            target = node.target.lower()
            return self.ids_in({other for _, _, other in self.links().get(target, ())})
        raise TypeError(f"not a query node: {node!r}")

    def combine(self, node: And | Or) -> Predicate:
        parts = tuple(self.compile(op) for op in node.operands)
        if isinstance(node, And):
            def every(doc: dict[str, Any]) -> bool:
                return all(part(doc) for part in parts)
            return every

        def some(doc: dict[str, Any]) -> bool:
            return any(part(doc) for part in parts)
        return some

    def field(self, node: Field) -> Predicate:
        get = _getter(node.path)
        if node.exact:
            key = exact_key(node.value)
            return lambda doc: any(exact_key(v) == key for v in _leaves(get(doc)))
        needle = fold(node.value)

        def contains(doc: dict[str, Any]) -> bool:
            value = get(doc)
            if isinstance(value, str):
                return needle in fold(value)
            return value is not None and any(needle in fold(v) for v in _leaves(value))
        return contains

    def language(self, value: str) -> Predicate:
        key = exact_key(value)
        prefix = key + "-"

        def test(doc: dict[str, Any]) -> bool:
            language = doc.get("language")
            if not isinstance(language, str):
                return False
            language = exact_key(language)
            return language == key or language.startswith(prefix)
        return test

    def dates(self, node: Dates) -> Predicate:
        earliest, latest = node.earliest, node.latest
        if node.name != "date":
            name = node.name

            def stamped(doc: dict[str, Any]) -> bool:
                info = doc.get("archive")
                stamp = info.get(name) if isinstance(info, dict) else None
                return isinstance(stamp, str) and earliest <= stamp[:10] <= latest
            return stamped

        def dated(doc: dict[str, Any]) -> bool:
            days = doc.get(DATES_KEY)
            if not (isinstance(days, (list, tuple)) and len(days) == 2):
                text = doc.get("date")
                if not isinstance(text, str):
                    return False
                try:  # a document that never went through Record.to_document()
                    days = date_bounds(text)
                except InvalidRecord:
                    return False
            return bool(days[0] <= latest and days[1] >= earliest)
        return dated

    def rel(self, node: Rel) -> Predicate:
        # Match the name as stored and, with the vocabulary, its canonical form read
        # from this record's end; a symmetric relation reads the same from both ends.
        wanted = {(node.rel, True)}
        resolve, symmetric = _relations()
        if resolve is not None:
            try:
                name, flipped = resolve(node.rel)
            except (ArchivistError, ValueError, KeyError):
                name, flipped = node.rel, False
            wanted.add((name, not flipped))
            if name in symmetric:
                wanted.add((name, flipped))
        elif node.rel in symmetric:
            wanted.add((node.rel, False))
        target = None if node.target is None else node.target.lower()
        ids = {record for record, entries in self.links().items()
               if any((rel, out) in wanted and (target is None or other == target)
                      for rel, out, other in entries)}
        return self.ids_in(ids)


def compile_query(text: str | Sequence[str], archive: Any | None = None) -> Predicate:
    """Compile a query into a predicate over stored documents.

    :param text: the query, or command-line words (joined by :func:`join_words`).
    :param archive: where ``rel:``, ``linked:`` and ``has:links`` find links (anything
        with ``link_documents()``); without it no record has links.
    :returns: a function telling whether a document matches.
    :raises QuerySyntaxError: when the query does not parse.
    """
    query = text if isinstance(text, str) else join_words(text)
    return _Compiler(archive).compile(parse(query))


def matches(text: str | Sequence[str], docs: Iterable[dict[str, Any]],
            archive: Any | None = None) -> list[dict[str, Any]]:
    """The documents of ``docs`` that match the query, in their order.

    :raises QuerySyntaxError: when the query does not parse.
    """
    predicate = compile_query(text, archive)
    return [doc for doc in docs if predicate(doc)]
