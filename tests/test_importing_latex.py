"""LaTeX in BibTeX fields decodes to the Unicode text it prints."""

from __future__ import annotations

import pytest

from archivist.importing.latex import decode


@pytest.mark.parametrize(("written", "text"), [
    (r'{\"O}zt\"urk', "Öztürk"),
    (r"\v{c}", "č"),
    (r"Pe\v{s}i\'{c}", "Pešić"),
    (r"{\i}", "ı"),
    (r"\'{\i}", "í"),
    (r"\c{C}a", "Ça"),
    (r"{\L}\'od\'z", "Łódź"),
    (r"Gro{\ss}", "Groß"),
    (r"\AA{}ngstr\"om", "Ångström"),
    ("1917--1921", "1917–1921"),
    ("yes---no", "yes—no"),
    ("Vol.~2", "Vol.\u00a02"),
    (r"\mkbibquote{Dear} comrades", "“Dear” comrades"),
    (r"\enquote{x}", "“x”"),
    (r"\emph{The} \textbf{Rising}", "The Rising"),
    (r"{\em Pravda} daily", "Pravda daily"),
    ("The {Kronstadt} {R}ising", "The Kronstadt Rising"),
    (r"50\% \& more \$ \#1 a\_b", "50% & more $ #1 a_b"),
    (r"\textbackslash{}n", "\\n"),
    ("``quoted''", "“quoted”"),
    ("plain text", "plain text"),
])
def test_latex_becomes_unicode(written: str, text: str) -> None:
    assert decode(written) == text


@pytest.mark.parametrize("written", [r"$\alpha$-helix", r"\unknowncommand{x} y"])
def test_what_has_no_one_reading_is_kept_as_written(written: str) -> None:
    assert decode(written) == written


def test_ties_can_be_spaces_for_names() -> None:
    assert decode("D.~E.", ties=" ") == "D. E."
