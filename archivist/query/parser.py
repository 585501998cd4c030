"""The query language of ``list``, ``export`` and ``verify``.

A query is a list of terms; a record matches when every term matches.  Matching
ignores case and accents: ``zolkiewski`` finds ``Żółkiewski``, ``ежик`` finds ``Ёжик``,
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
                                          creators (a substring: ``film`` finds ``films``)
``dear comrades``                         with both words, anywhere in those fields
``"dear comrades"``                       with the phrase
``creator:weiss``  ``publisher:wsws``     whose field contains the text (``creator`` is
                                          ``creators``); a list matches on any element
``title:"dear comrades"``                 whose field contains the phrase
``title:="Dear Comrades"``                whose field is that whole value, in any case
``title:="Dear*"``                        (after ``:=``, ``*`` stands for any text)
``kicker:stalin``  ``fields.kicker:x``    a custom field (a name outside the schema)
``source.path:seeds/``                    a dotted path into ``source``/``fields``/``archive``
``tag:Film``  ``tags:film``  ``tag:fi*``  with that whole tag, in any case (``*`` globs)
``id:weiss-2021``  ``id:weiss-*``         with that id, in any case (``*`` globs)
``kind:article``                          of that kind (an unknown kind is an error)
``lang:en``  ``language:en*``             in that language (``*`` globs)
``date:1962``  ``date:1962-06-02``        whose date overlaps that year, month or day
``date:1920..1925``  ``date:..1930``      whose date overlaps the range (either end may be
``date:2019..``                           open); an undated record never matches a date
``added:2024-05``  ``changed:2024..``     added / last changed then (UTC days)
``fixity:ok``  ``fixity:changed``         whose last fixity check said so (``missing``,
                                          ``unreadable`` too)
``fixity:never``                          with a source that was never checked
``has:url``  ``missing:date``             where the field is present and not empty, or
``has:fields.kicker``  ``has:links``      not; ``source``, ``fields.x``, ``links`` too
``rel:part-of:wsws-history``              that are part of that record (either name of a
``rel:has-part:dear-comrades``            relation pair, read from this record's end)
``rel:references``                        with any link of that relation
``linked:wsws-history``                   linked with that record, in any relation
``text:azaryan``  ``text:"dear comrades"``  whose source file's text holds it (folded as
                                          bare words; within ``source.span``; see
                                          :mod:`archivist.fulltext`)
``-tag:film``  ``NOT tag:film``           without that tag
``tag:film OR tag:book``  ``a | b``       with either
``(tag:film OR tag:book) -kind:review``   grouped with parentheses
========================================  ================================================

Parsed examples::

    >>> parse('-tag:film')
    Not(operand=Match(path='tags', pattern='film'))
    >>> parse('date:..1930')
    Dates(name='date', earliest='0001-01-01', latest='1930-12-31')
    >>> parse('a OR b c')
    Or(operands=(Text(value='a'), And(operands=(Text(value='b'), Text(value='c')))))
    >>> parse('kicker:stalin')
    Field(path='fields.kicker', value='stalin')

A malformed query raises :class:`~archivist.errors.QuerySyntaxError` with the 1-based
column of the fault: unbalanced parentheses, a dangling ``OR``/``AND``/``NOT``/``-``, an
empty value (``title:``) or phrase, an unterminated phrase, a bad date (``date:2021-13``,
pointing at the bad end of a range), an unknown kind, fixity result or relation.  A
field name that neither the schema nor any record of the archive knows is refused
where the query meets the archive (:func:`archivist.fieldcheck.check_query_fields`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from archivist.dates import OPEN_END, OPEN_START, date_bounds
from archivist.errors import ArchivistError, InvalidRecord, QuerySyntaxError
from archivist.models import KINDS
from archivist.query.match import (
    TEXT_SEARCH_FIELDS,
    And,
    Dates,
    Everything,
    Field,
    Has,
    InText,
    Match,
    Node,
    Not,
    Or,
    Predicate,
    Rel,
    Text,
    compile_tree,
    exact_key,
    fold,
    relation_vocabulary,
)

# The syntax tree, folding and matching live in archivist.query.match; they are part of
# this module's interface too.
__all__ = [
    "ALIASES", "FIXITY_RESULTS", "MAX_DEPTH", "QUERY_NAMES", "TEXT_SEARCH_FIELDS", "And",
    "Dates", "Everything", "Field", "Has", "InText", "Match", "Node", "Not", "Or", "Predicate",
    "Rel",
    "Text", "compile_query", "exact_key", "field_names", "fold", "join_words", "matches",
    "parse",
]

#: Field names the query accepts for schema keys, beyond the keys themselves.
ALIASES: dict[str, str] = {"creator": "creators", "tag": "tags", "lang": "language"}
#: Results ``fixity:`` accepts; ``never`` means a source that was never checked.
FIXITY_RESULTS: tuple[str, ...] = ("ok", "changed", "missing", "unreadable", "never")
#: Parentheses nested deeper than this are refused (they would only exhaust the stack).
MAX_DEPTH = 64

_DOC_KEYS = frozenset({"id", "kind", "title", "subtitle", "creators", "date", "publisher",
                       "language", "url", "summary", "tags", "source", "fields", "archive"})
_ARCHIVE_KEYS = frozenset({"added", "added_by", "added_how", "changed", "fixity"})
_WHOLE_VALUE_KEYS = frozenset({"tags", "id", "kind", "language"})
_KEYWORDS = frozenset({"OR", "AND", "NOT"})
_FIELD_PREFIX = re.compile(r"([^\W\d][\w.\-]*):(=?)")
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<op>[()|])
  | (?P<neg>-(?=[^\s)|]))
  | (?P<name>[^\W\d][\w.\-]*):(?P<eq>=?)(?P<value>"|[^\s()|"]+)?
  | (?P<quote>")
  | (?P<dash>-)
  | (?P<word>[^\s()|"]+)
""", re.VERBOSE)
_PHRASE = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
_UNESCAPE = re.compile(r'\\(["\\])')


# -- parsing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "OR", "AND", "NOT", "-" or "term"
    column: int
    name: str | None = None
    exact: bool = False
    value: str = ""
    value_column: int = 0


def _phrase(text: str, start: int) -> tuple[str, int]:
    """The phrase whose opening quote is at ``start``, and the index after it."""
    match = _PHRASE.match(text, start)
    if match is None:
        raise QuerySyntaxError("unterminated phrase (a '\"' is missing)", text, start + 1)
    if not match.group(1):
        raise QuerySyntaxError("empty phrase", text, start + 1)
    return _UNESCAPE.sub(r"\1", match.group(1)), match.end()


# Control characters other than whitespace: no record holds them in a searched value,
# and U+001F joins a record's fields in its search text (archivist.folding).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _tokenize(text: str) -> list[_Token]:
    control = _CONTROL.search(text)
    if control is not None:
        raise QuerySyntaxError(f"control character U+{ord(control.group()):04X} is not "
                               "allowed in a query", text, control.start() + 1)
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        match = _TOKEN.match(text, i)  # some group matches any character
        kind, column = (match.lastgroup, i + 1) if match else ("dash", i + 1)
        if match is None or kind == "dash":  # a "-" before a space, ")", "|" or the end
            raise QuerySyntaxError("'-' must be followed by the term it negates", text, column)
        end = match.end()
        if kind == "op":
            tokens.append(_Token("OR" if text[i] == "|" else text[i], column))
        elif kind == "neg":
            tokens.append(_Token("-", column))
        elif kind == "quote":
            value, end = _phrase(text, i)
            tokens.append(_Token("term", column, value=value, value_column=column + 1))
        elif kind == "word":
            word = match.group("word")
            tokens.append(_Token(word if word in _KEYWORDS else "term", column, value=word,
                                 value_column=column))
        elif kind != "space":
            name, value = match.group("name"), match.group("value")
            if value is None:
                raise QuerySyntaxError(f"'{text[i:end]}' needs a value", text, column)
            value_column = end - len(value) + 1
            if value == '"':
                value, end = _phrase(text, end - 1)
                value_column += 1
            tokens.append(_Token("term", column, name, bool(match.group("eq")), value,
                                 value_column))
        i = end
    return tokens


def _field_path(name: str) -> str:
    """The dotted document path a field name stands for (outside the schema: ``fields``)."""
    head, dot, rest = name.partition(".")
    key = ALIASES.get(head.lower(), head.lower())
    if key in _DOC_KEYS:
        return key + dot + rest
    if key in _ARCHIVE_KEYS:
        return "archive." + key + dot + rest
    return "fields." + name


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
        raise QuerySyntaxError(f"the range {value!r} ends before it starts", query, column)
    return earliest, latest


def _term(token: _Token, query: str) -> Node:
    """The node of one term, its value checked."""
    value, col = token.value, token.value_column
    if token.name is None:
        return Text(value)
    name = ALIASES.get(token.name.lower(), token.name.lower())
    if name in ("date", "added", "changed") and not token.exact:
        return Dates(name, *_date_range(value, query, col))
    if name == "kind" and value.lower() not in KINDS:
        raise QuerySyntaxError(f"unknown kind {value!r}; valid kinds: {', '.join(KINDS)}",
                               query, col)
    if name in _WHOLE_VALUE_KEYS:
        return Match(name, value)
    if name == "fixity":
        if value.lower() not in FIXITY_RESULTS:
            raise QuerySyntaxError(f"unknown fixity result {value!r}; use "
                                   f"{', '.join(FIXITY_RESULTS)}", query, col)
        if value.lower() == "never":
            return And((Has("source"), Not(Has("archive.fixity.result"))))
        return Match("archive.fixity.result", value)
    if name in ("has", "missing"):
        node = Rel() if value.lower() == "links" else Has(_field_path(value))
        return node if name == "has" else Not(node)
    if name == "text":
        if token.exact:
            raise QuerySyntaxError("text: takes a word or phrase, not ':='", query,
                                   token.column)
        return InText(value)
    if name == "linked":
        return Rel(None, value)
    if name == "rel":
        rel, sep, target = value.partition(":")
        if not rel or (sep and not target):
            raise QuerySyntaxError("write rel:RELATION or rel:RELATION:ID", query, col)
        resolve, _ = relation_vocabulary()
        if resolve is not None:
            try:
                resolve(rel)
            except (ArchivistError, ValueError, KeyError) as err:
                raise QuerySyntaxError(str(err), query, col) from None
        return Rel(rel.lower(), target or None)
    path = _field_path(token.name)
    return Match(path, value) if token.exact else Field(path, value)


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
        if extra is not None:  # only a ")" stops an or_expr early
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
        while (token := self.peek()) is not None and token.kind in ("NOT", "-"):
            negations += 1
            self.pos += 1
            self.expect_term(token, "NOT needs a term after it" if token.kind == "NOT"
                             else "'-' must be followed by the term it negates")
        assert token is not None, "every caller checks that a term follows"
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
        if following is not None and following.kind == ")":
            raise self.fail("empty parentheses", token.column)
        if following is None:
            raise self.fail("unclosed '('", token.column)
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


#: Names a query gives a meaning of its own: they name no field of the record.
QUERY_NAMES: tuple[str, ...] = ("has", "missing", "rel", "linked", "text")


def field_names(text: str) -> list[tuple[str, str]]:
    """The fields a query names, each as ``(name as written, document path)``: the
    names before ``:`` and the values of ``has:`` and ``missing:``.

    ``kicker:stalin`` gives ``("kicker", "fields.kicker")`` and ``has:url``
    ``("url", "url")``; whether a record holds such a field is for the caller to say
    (:func:`archivist.fieldcheck.check_query_fields`).

    :raises QuerySyntaxError: when the query does not tokenize.
    """
    found: list[tuple[str, str]] = []
    for token in _tokenize(text):
        if token.name is None:
            continue
        name = token.name.lower()
        if name in ("has", "missing"):
            if token.value.lower() != "links":
                found.append((token.value, _field_path(token.value)))
        elif name not in QUERY_NAMES:
            found.append((token.name, _field_path(token.name)))
    return found


def _looks_like_syntax(word: str) -> bool:
    if word in _KEYWORDS or any(c in word for c in '()|"'):
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
        match = _FIELD_PREFIX.match(word, len(negation))
        prefix = match.group(0) if match else ""
        rest = word[len(negation) + len(prefix):]
        if not rest.split() or any(_looks_like_syntax(part) for part in rest.split()):
            out.append(word)
        else:
            escaped = rest.strip().replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'{negation}{prefix}"{escaped}"')
    return " ".join(out)


# -- compiling to predicates (see archivist.query.match) ----------------------------------


def compile_query(text: str | Sequence[str], archive: Any | None = None) -> Predicate:
    """Compile a query into a predicate over stored documents.

    :param text: the query, or command-line words (joined by :func:`join_words`).
    :param archive: where ``rel:``, ``linked:`` and ``has:links`` find links (anything
        with ``link_documents()``); without it no record has links.
    :returns: a function telling whether a document matches.
    :raises QuerySyntaxError: when the query does not parse.
    """
    query = text if isinstance(text, str) else join_words(text)
    return compile_tree(parse(query), archive)


def matches(text: str | Sequence[str], docs: Iterable[dict[str, Any]],
            archive: Any | None = None) -> list[dict[str, Any]]:
    """The documents of ``docs`` that match the query, in their order.

    :raises QuerySyntaxError: when the query does not parse.
    """
    predicate = compile_query(text, archive)
    return [doc for doc in docs if predicate(doc)]
