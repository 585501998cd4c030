"""The query language: parse a query (:mod:`.parser`) into a tree (:mod:`.match`).

The tree's own :meth:`match` is the reference: every engine's answer to a query must
agree with it.  An engine may answer some nodes itself, faster (see
:mod:`archivist.store`).
"""

from __future__ import annotations

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
from archivist.query.parser import (
    ALIASES,
    FIXITY_RESULTS,
    MAX_DEPTH,
    QUERY_NAMES,
    compile_query,
    field_names,
    join_words,
    matches,
    parse,
)

__all__ = [
    "ALIASES", "FIXITY_RESULTS", "MAX_DEPTH", "QUERY_NAMES", "TEXT_SEARCH_FIELDS", "And",
    "Dates", "Everything", "Field", "Has", "InText", "Match", "Node", "Not", "Or", "Predicate",
    "Rel",
    "Text", "compile_query", "compile_tree", "exact_key", "field_names", "fold",
    "join_words", "matches", "parse", "relation_vocabulary",
]
