"""Reading BibTeX files: macros, delimiters, comments, and every problem at its place."""

from __future__ import annotations

from archivist.importing.bibtex import read, records

Problems = list[tuple[tuple[int, int], str]]


def _read(text: str) -> tuple[list[dict[str, str]], Problems]:
    problems: Problems = []
    entries = read(text, lambda at, message: problems.append((at, message)))
    return [{"@type": e.type, "@key": e.key, **e.fields} for e in entries], problems


def test_strings_concatenation_and_months() -> None:
    entries, problems = _read(
        '@String{wsws = "World Socialist"}\n'
        '@STRING(site = { Web Site})\n'
        '@article{k, journal = wsws # site, month = mar, year = 1921, note = "a {"} b"}\n')
    assert problems == []
    assert entries == [{"@type": "article", "@key": "k", "journal": "World Socialist Web Site",
                        "month": "March", "year": "1921", "note": 'a {"} b'}]


def test_parentheses_comments_and_preambles() -> None:
    entries, problems = _read(
        "Zotero export, mail me@example.org\n"
        '@preamble{ "\\newcommand{\\noop}[1]{}" }\n'
        "@comment{ @article{ignored, title={x}} }\n"
        "@Book(key2,\n  Title = {T (with parentheses)},\n)\n")
    assert problems == []
    assert entries == [{"@type": "book", "@key": "key2", "title": "T (with parentheses)"}]


def test_an_unclosed_brace_names_the_entrys_line_and_the_rest_is_read() -> None:
    entries, problems = _read("@article{a,\n  title = {Open\n\n@book{b, title={B}}\n"
                              "@book{c, title={C}}\n")
    assert [e["@key"] for e in entries] == ["b", "c"]
    assert problems == [((2, 11), "a brace or quote opened here in the entry a (line 1) is "
                                  "not closed before the next entry (line 4)")]
    entries, problems = _read("@article{a,\n  title = {Open {x},\n  year = {1921},\n}\n"
                              "@book{b, title={B}}\n")
    assert [e["@key"] for e in entries] == ["b"]
    assert problems == [((5, 1), "the entry a (line 1) is not closed before the next entry "
                                 "(line 5): a brace is left open")]


def test_duplicate_keys_name_both_lines() -> None:
    entries, problems = _read("@book{k, title={A}}\n\n@book{K, title={B}}\n")
    assert [e["title"] for e in entries] == ["A"]
    assert problems == [((3, 1), "the key 'K' is used twice: at line 1 and line 3")]


def test_other_mistakes_are_refused_where_they_are() -> None:
    _, problems = _read("@book{k, title = undefined}\n@book{, title={x}}\n"
                        "@book{m, title={x} year={1}}\n@book{n, title={x}, title={y}}\n"
                        "@book{o, title={x}")
    assert [(at, message.split(":")[0].split(" in ")[0]) for at, message in problems] == [
        ((1, 18), "no @string macro 'undefined' is defined before this"),
        ((2, 1), "the @book entry has no citation key"),
        ((3, 20), "expected ',' or '}'"),
        ((4, 21), "the field title is given twice"),
        ((5, 19), "expected ',' or '}'"),
    ]


def test_records_have_the_lines_of_their_entry() -> None:
    found = list(records("\n@book{k,\n  title={T},\n}\n", lambda at, m: None))
    [(number, item, where, _)] = found
    assert number == 1 and where == (2, 1) and item.span == (2, 4)
    assert item.position("title") == (3, 3)
