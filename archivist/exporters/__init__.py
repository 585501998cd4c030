"""Exporters: pure functions from records (interchange form) to text, in a registry.

An exporter takes the records, the columns a tabular format shows, and
:class:`ExportOptions`, and returns the whole output as text.  The command line picks
one by name and writes what it returns; tests call them directly.

* :data:`EXPORTERS`: what ``list`` writes (table, csv, tsv, json, jsonl, yaml);
* :data:`CITATION_EXPORTERS`: BibTeX, CSL-JSON and RIS (:mod:`.bibtex`, :mod:`.csl`,
  :mod:`.ris`), which only ``export`` writes;
* :data:`EXPORT_EXPORTERS`: both, what :func:`export` accepts.

Formats that need more than text (a BagIt folder, :mod:`.bagit`) live beside.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from archivist.display import DEFAULT_COLUMNS, table_cell
from archivist.exporters.options import Exporter as Exporter
from archivist.exporters.options import ExportOptions as ExportOptions
from archivist.exporters.tables import simple_table as simple_table
from archivist.exporters.tables import table_text
from archivist.listing import column_value
from archivist.models import INTERCHANGE_KEYS

# Characters valid raw in JSON that YAML readers refuse or read as line breaks.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The first characters of every cell neutralise may change: the formula starts, the
# apostrophe, and whitespace (str.isspace).
_RISKY_FIRST = frozenset("=+-@'\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
                         "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                         "\u200a\u2028\u2029\u202f\u205f\u3000")
# A plain decimal number, which may start with a sign and is no formula.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _getter(column: str) -> Callable[[Mapping[str, Any]], Any]:
    """A function reading ``column`` from a record, as :func:`column_value` does."""
    if column in INTERCHANGE_KEYS:
        # A key of the schema is read straight from the record (the common case).
        return lambda record: record.get(column)
    return lambda record: column_value(record, column)


def _rows(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> list[list[str]]:
    getters = [_getter(c) for c in columns]
    return [[table_cell(get(r)) for get in getters] for r in records]


def export_table(records: Sequence[dict[str, Any]], columns: Sequence[str],
                 options: ExportOptions) -> str:
    """A table for people, in any tabulate style (text escaped for the terminal)."""
    return table_from_rows(_rows(records, columns), columns, options)


def table_from_rows(rows: list[list[str]], columns: Sequence[str],
                    options: ExportOptions) -> str:
    """:func:`export_table` of rows already drawn (cells escaped and stripped)."""
    return table_text(rows, columns, style=options.table_format, headers=options.headers,
                      max_width=options.max_width)


def _is_formula(value: str) -> bool:
    # Tab is a formula start after line breaks and spaces; any other whitespace is
    # skipped too before the operators, for spreadsheets that trim it.
    if (value.startswith(_FORMULA_STARTS) or value.lstrip(" \r\n").startswith(_FORMULA_STARTS)
            or value.lstrip().startswith(_FORMULA_STARTS)):
        return _NUMBER.fullmatch(value) is None
    return False


def neutralise(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (plain numbers pass).

    A cell is a formula when, after any leading spaces and line breaks (which
    spreadsheets skip), it starts with ``=``, ``+``, ``-`` or ``@``, or when it starts
    with a tab or a carriage return; it is written with a ``'`` before it.  Only a
    plain decimal number (``-12``, ``+3.5``, ``-1e3``) is left as it is.  Text that
    starts with ``'`` and would be a formula without its apostrophes (``'=1``) gets
    one more, so :func:`unneutralise` always gives back the text.
    """
    if ((value.startswith(_FORMULA_STARTS) or value.startswith("'") or value[:1].isspace())
            and _is_formula(value.lstrip("'"))):
        return "'" + value
    return value


def unneutralise(cell: str) -> str:
    """The text a csv or tsv cell was written from (the inverse of :func:`neutralise`)."""
    if cell.startswith("'") and _is_formula(cell.lstrip("'")):
        return cell[1:]
    return cell


def escape_item(item: str) -> str:
    """One item of a list as csv and tsv write it: ``\\`` and ``;`` escaped (``\\\\``,
    ``\\;``), so that the items joined with ``; `` split back unambiguously."""
    if "\\" in item:
        item = item.replace("\\", "\\\\")
    return item.replace(";", "\\;") if ";" in item else item


def split_items(cell: str) -> list[str]:
    """The items of a list cell written by csv or tsv (the inverse of joining
    :func:`escape_item` items with ``; ``); an empty cell is an empty list."""
    if not cell:
        return []
    items, current, chars = [], [], iter(cell)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char == ";":
            # Only "; " separates: a bare ";" is always written escaped.
            items.append("".join(current))
            current = []
            next(chars, None)
        else:
            current.append(char)
    items.append("".join(current))
    return items


def _delimited_cell(value: Any) -> str:
    """A value as the text of a csv or tsv cell, before neutralising."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, list):
        if all(type(v) is str for v in value):
            return "; ".join(map(escape_item, value))
        if all(isinstance(v, (str, int, float)) for v in value):
            return "; ".join(escape_item(str(v)) for v in value)
    if isinstance(value, (dict, list)):
        # A mapping, or a list holding mappings (links): JSON, which tools can parse.
        from archivist.jsontext import json_text

        return json_text(value).strip()
    return str(value)


def _delimited_rows(records: Sequence[dict[str, Any]], columns: Sequence[str],
                    options: ExportOptions) -> Iterator[list[str]]:
    """The cells of a csv or tsv export, row by row, neutralised."""
    if options.headers:
        yield [neutralise(c) for c in columns]
    getters = [_getter(c) for c in columns]
    risky, text_cell = _RISKY_FIRST, _delimited_cell
    for record in records:
        row = []
        for get in getters:
            value = get(record)
            if type(value) is not str:
                value = text_cell(value)
            # Only a cell starting with one of these can need neutralising.
            if value and value[0] in risky:
                value = neutralise(value)
            row.append(value)
        yield row


def _delimited(records: Sequence[dict[str, Any]], columns: Sequence[str],
               options: ExportOptions, delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(
        _delimited_rows(records, columns, options))
    text = out.getvalue()
    if "\r" not in text:
        return text
    # The csv module quotes a cell holding the delimiter, a quote or a character of
    # the line terminator: a bare CR was written unquoted, and readers take it for
    # the end of a row.  Rows holding one go through a writer whose terminator holds
    # a CR (and its CRLF is replaced by the LF every other row ends with).
    out = io.StringIO()
    plain = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    spare = io.StringIO()
    careful = csv.writer(spare, delimiter=delimiter, lineterminator="\r\n")
    for row in _delimited_rows(records, columns, options):
        if "\r" in delimiter.join(row):
            spare.seek(0)
            spare.truncate()
            careful.writerow(row)
            out.write(spare.getvalue()[:-2] + "\n")
        else:
            plain.writerow(row)
    return out.getvalue()


def export_csv(records: Sequence[dict[str, Any]], columns: Sequence[str],
               options: ExportOptions) -> str:
    """Comma-separated values, formula starts neutralised."""
    return _delimited(records, columns, options, ",")


def export_tsv(records: Sequence[dict[str, Any]], columns: Sequence[str],
               options: ExportOptions) -> str:
    """Tab-separated values, formula starts neutralised."""
    return _delimited(records, columns, options, "\t")


def _escape_json(text: str) -> str:
    """Write DEL, C1 controls, U+2028/2029 and U+FEFF as ``\\u`` escapes.

    orjson writes them raw, which is valid JSON, but YAML readers (``import`` reads
    JSON as YAML) refuse some and fold others into spaces.  Escaped, the parsed text
    is the same and survives every reader.  They can only occur inside strings.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def export_json(records: Sequence[dict[str, Any]], columns: Sequence[str],
                options: ExportOptions) -> str:
    """A JSON array of records in interchange form (re-importable)."""
    import orjson

    # The newline comes from orjson: appending it to the text would copy it all again.
    return _escape_json(orjson.dumps(list(records), option=orjson.OPT_INDENT_2
                                     | orjson.OPT_APPEND_NEWLINE).decode())


def export_jsonl(records: Sequence[dict[str, Any]], columns: Sequence[str],
                 options: ExportOptions) -> str:
    """One JSON object per line (re-importable)."""
    import orjson

    return "".join(_escape_json(orjson.dumps(r).decode()) + "\n" for r in records)


def export_yaml(records: Sequence[dict[str, Any]], columns: Sequence[str],
                options: ExportOptions) -> str:
    """A YAML list of records in interchange form (re-importable)."""
    from archivist.yamlio import dump

    return dump(list(records)) if records else "[]\n"


#: Every text format ``list`` writes, by name (``export`` writes these too).
EXPORTERS: dict[str, Exporter] = {
    "table": export_table,
    "csv": export_csv,
    "tsv": export_tsv,
    "json": export_json,
    "jsonl": export_jsonl,
    "yaml": export_yaml,
}
#: Formats that print every field whatever ``--columns`` says.
WHOLE_RECORD_FORMATS = frozenset({"json", "jsonl", "yaml"})


def export_bibtex(records: Sequence[dict[str, Any]], columns: Sequence[str],
                  options: ExportOptions) -> str:
    """BibTeX/biblatex entries of the citable records (see :mod:`.bibtex`)."""
    from archivist.exporters import bibtex

    return bibtex.export_bibtex(records, columns, options)


def export_csl_json(records: Sequence[dict[str, Any]], columns: Sequence[str],
                    options: ExportOptions) -> str:
    """A CSL-JSON array of the citable records (see :mod:`.csl`)."""
    from archivist.exporters import csl

    return csl.export_csl(records, columns, options)


def export_ris(records: Sequence[dict[str, Any]], columns: Sequence[str],
               options: ExportOptions) -> str:
    """RIS references of the citable records (see :mod:`.ris`)."""
    from archivist.exporters import ris

    return ris.export_ris(records, columns, options)


#: Citation formats, written by ``export`` only; they leave out agents and events.
CITATION_EXPORTERS: dict[str, Exporter] = {
    "bibtex": export_bibtex,
    "csl-json": export_csl_json,
    "ris": export_ris,
}
#: Every text format ``export`` writes, by name.
EXPORT_EXPORTERS: dict[str, Exporter] = {**EXPORTERS, **CITATION_EXPORTERS}
#: Linked data (PROV-O and Dublin Core), written from the archive itself: :mod:`.linkeddata`.
LINKED_DATA_FORMATS = ("jsonld", "turtle")
#: Every format ``export`` offers: the text formats, linked data, and ``bagit`` (a folder).
EXPORT_FORMATS: tuple[str, ...] = (*EXPORT_EXPORTERS, *LINKED_DATA_FORMATS, "bagit")


class Exported:
    """What :func:`export` wrote.

    :param parts: the output, in order.  For a large export in a format written record
        by record (json, jsonl, bibtex, csl-json, ris) it is made as it is read, a
        batch of records at a time, so the whole output is never in memory: read
        :meth:`pieces` once, or :attr:`text` for all of it at once.
    :param count: how many records it holds.
    :param skipped: ids of matching records a citation format left out (agents, events).
    """

    def __init__(self, parts: Iterable[str], count: int, skipped: tuple[str, ...] = ()
                 ) -> None:
        self._parts: Iterable[str] | None = parts
        self._text: str | None = None
        self.count = count
        self.skipped = skipped

    def pieces(self) -> Iterator[str]:
        """The output in pieces, made as they are read (once)."""
        if self._text is not None:
            yield self._text
            return
        parts, self._parts = self._parts, None
        if parts is None:
            raise RuntimeError("the pieces of this export were read already")
        yield from parts

    @property
    def text(self) -> str:
        """The whole output."""
        if self._text is None:
            self._text = "".join(self.pieces())
        return self._text


#: Records converted and written at a time by an export made as it is read.
BATCH = 1000


def _json_array(batches: Iterable[bytes]) -> Iterator[bytes]:
    """One JSON array (orjson's two-space indent) from arrays of successive batches,
    byte for byte what encoding all their items at once gives."""
    first = True
    for encoded in batches:
        if encoded == b"[]":
            continue
        # "[\n  item,\n  item\n]": the items without the brackets' lines.
        yield (b"[\n" if first else b",\n") + encoded[2:-2]
        first = False
    yield b"[]" if first else b"\n]"


def _batches(docs: Sequence[dict[str, Any]], links: dict[str, list[dict[str, str]]]
             ) -> Iterator[list[dict[str, Any]]]:
    from archivist.models import interchange

    for start in range(0, len(docs), BATCH):
        yield [interchange(doc, links.get(doc["id"].lower(), []))
               for doc in docs[start:start + BATCH]]


def _streamed(fmt: str, docs: Sequence[dict[str, Any]],
              links: dict[str, list[dict[str, str]]], columns: Sequence[str],
              options: ExportOptions) -> Iterator[str]:
    """The output of ``fmt`` for ``docs``, made a batch of records at a time; the same
    text as the format's exporter gives for all of them at once."""
    import orjson

    batches = _batches(docs, links)
    if fmt in ("json", "csl-json"):
        if fmt == "json":
            arrays = (orjson.dumps(batch, option=orjson.OPT_INDENT_2) for batch in batches)
        else:
            from archivist.exporters.csl import citable, csl_item

            arrays = (orjson.dumps([csl_item(r) for r in citable(batch)],
                                   option=orjson.OPT_INDENT_2) for batch in batches)
        for piece in _json_array(arrays):
            yield _escape_json(piece.decode()) if fmt == "json" else piece.decode()
        yield "\n"
    elif fmt == "jsonl":
        for batch in batches:
            yield export_jsonl(batch, columns, options)
    else:  # bibtex, ris: entries one blank line apart
        exporter = EXPORT_EXPORTERS[fmt]
        first = True
        for batch in batches:
            text = exporter(batch, columns, options)
            if text:
                yield text if first else "\n" + text
                first = False


def _check_dates(docs: Sequence[dict[str, Any]]) -> None:
    """Refuse a date the citation formats cannot read before the first batch is
    written, not half-way through (a date edited by hand; 0.15 s at 100,000 records).

    :raises InvalidRecord: naming the record.
    """
    from archivist.dates import date_bounds
    from archivist.errors import InvalidRecord

    for doc in docs:
        date = doc.get("date")
        if isinstance(date, str) and date.strip():
            try:
                date_bounds(date.strip())
            except InvalidRecord as err:
                raise InvalidRecord(f"{doc.get('id')}: {err}") from None


#: Formats :func:`export` makes a batch of records at a time (see :func:`_streamed`).
STREAMED_FORMATS = frozenset({"json", "jsonl", "bibtex", "csl-json", "ris"})


def export(archive: Any, query: Sequence[str] = (), *, fmt: str = "table",
           columns: str | Sequence[str] | None = None, sort: str | None = None,
           limit: int | None = None, options: ExportOptions | None = None) -> Exported:
    """Select records from ``archive`` and write them in any text format ``export`` offers.

    :param columns: for tabular formats; a comma-separated string or a list.
    :raises QuerySyntaxError: for a malformed query.
    :raises InvalidRecord: for an unknown format or table style, a bad sort key or
        column list.
    """
    from archivist.errors import InvalidRecord
    from archivist.listing import check_columns, links_of, select, to_interchange
    from archivist.models import AGENT_KINDS

    if fmt in LINKED_DATA_FORMATS:
        from archivist.exporters.linkeddata import export_linked_data

        parts, count = export_linked_data(archive, query, fmt=fmt, sort=sort, limit=limit,
                                          base_iri=(options or ExportOptions()).base_iri)
        return Exported(parts, count=count)
    exporter = EXPORT_EXPORTERS.get(fmt)
    if exporter is None:
        raise InvalidRecord(f"unknown format {fmt!r}; formats: "
                            f"{', '.join(sorted(EXPORT_EXPORTERS))}")
    options = options or ExportOptions()
    if fmt == "table" and options.table_format != "simple":
        import tabulate

        # tabulate quietly falls back to "simple" for a style it does not know.
        if options.table_format not in tabulate.tabulate_formats:
            raise InvalidRecord(f"unknown table format {options.table_format!r}; styles: "
                                f"{', '.join(sorted(tabulate.tabulate_formats))}")
    if isinstance(columns, str):
        columns = columns.split(",")
    chosen = check_columns(columns) if columns else list(DEFAULT_COLUMNS)
    if fmt == "table" and tuple(chosen) == DEFAULT_COLUMNS:
        from archivist.listing import select_summaries

        # The index file holds every record's default row, drawn already.
        rows = select_summaries(archive, query, sort=sort, limit=limit)
        if rows is not None:
            return Exported([table_from_rows(rows, chosen, options)], count=len(rows))
    docs = select(archive, query, sort=sort, limit=limit)
    skipped: tuple[str, ...] = ()
    if fmt in CITATION_EXPORTERS:
        skipped = tuple(d["id"] for d in docs if d.get("kind") in AGENT_KINDS)
        docs = [d for d in docs if d.get("kind") not in AGENT_KINDS]
    if fmt in STREAMED_FORMATS and len(docs) > BATCH:
        # Converted and written a batch at a time as the output is read: at 100,000
        # records the interchange form and the text of them all would take twice
        # the memory of the parsed records.
        if fmt in CITATION_EXPORTERS:
            _check_dates(docs)
        return Exported(_streamed(fmt, docs, links_of(archive, docs), chosen, options),
                        count=len(docs), skipped=skipped)
    if fmt in WHOLE_RECORD_FORMATS or fmt in CITATION_EXPORTERS or "links" in chosen:
        records = to_interchange(archive, docs)
    else:
        records = docs
    return Exported([exporter(records, chosen, options)], count=len(records),
                    skipped=skipped)


def render(archive: Any, query: Sequence[str] = (), *, fmt: str = "table",
           columns: str | Sequence[str] | None = None, sort: str | None = None,
           limit: int | None = None, options: ExportOptions | None = None) -> str:
    """Select records from ``archive`` and write them in a ``list`` format ``fmt``.

    :param columns: for tabular formats; a comma-separated string or a list.
    :raises QuerySyntaxError: for a malformed query.
    :raises InvalidRecord: for an unknown format, a bad sort key or column list.
    """
    return rendered(archive, query, fmt=fmt, columns=columns, sort=sort, limit=limit,
                    options=options).text


def rendered(archive: Any, query: Sequence[str] = (), *, fmt: str = "table",
             columns: str | Sequence[str] | None = None, sort: str | None = None,
             limit: int | None = None, options: ExportOptions | None = None) -> Exported:
    """:func:`render`, as pieces: a large ``json`` or ``jsonl`` list is made as it is
    read (see :class:`Exported`)."""
    from archivist.errors import InvalidRecord

    if fmt not in EXPORTERS:
        raise InvalidRecord(f"unknown format {fmt!r}; formats: {', '.join(sorted(EXPORTERS))}")
    return export(archive, query, fmt=fmt, columns=columns, sort=sort, limit=limit,
                  options=options)
