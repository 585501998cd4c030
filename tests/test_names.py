"""Splitting creators into family and given names, only where that is unambiguous."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.exporters.names import Name, split_creators, split_name


@pytest.mark.parametrize(("written", "family", "given", "particle"), [
    ("Clara Weiss", "Weiss", "Clara", None),
    ("Weiss, Clara", "Weiss", "Clara", None),
    ("  Clara   Weiss ", "Weiss", "Clara", None),
    ("G. T. Miasnikov", "Miasnikov", "G. T.", None),
    ("J.-P. Sartre", "Sartre", "J.-P.", None),
    ("Jean-Paul Sartre", "Sartre", "Jean-Paul", None),
    ("Patrick O’Connor", "O’Connor", "Patrick", None),
    ("Stanisław Żółkiewski", "Żółkiewski", "Stanisław", None),
    ("Ludwig van Beethoven", "Beethoven", "Ludwig", "van"),
    ("Vincent Willem van Gogh", "Gogh", "Vincent Willem", "van"),
    ("van Gogh, Vincent", "Gogh", "Vincent", "van"),
    ("Charles de la Cruz", "Cruz", "Charles", "de la"),
    ("Bill Van Auken", "Van Auken", "Bill", None),
    ("Van Auken, Bill", "Van Auken", "Bill", None),
    ("Лев Давидович Троцкий", "Троцкий", "Лев Давидович", None),
    ("Троцкий Лев Давидович", "Троцкий", "Лев Давидович", None),
    ("Троцкий, Лев", "Троцкий", "Лев", None),
    ("Дмитрий Дмитриевич Шостакович", "Шостакович", "Дмитрий Дмитриевич", None),
    ("Надежда Константиновна Крупская", "Крупская", "Надежда Константиновна", None),
    ("Крупская Надежда Константиновна", "Крупская", "Надежда Константиновна", None),
    ("John Paul Jovanovich", "Jovanovich", "John Paul", None),
])
def test_names_that_split(written, family, given, particle):
    name = split_name(written)
    assert (name.family, name.given, name.particle) == (family, given, particle)
    assert name.literal is None
    assert name.written == written


@pytest.mark.parametrize("written", [
    "Trotsky",                         # one word
    "bell hooks",                      # written in lower case
    "our correspondents",              # collective byline
    "Our Correspondents",
    "WSWS Staff",
    "Editorial Board",
    "the editorial board of Pravda",
    "Kevin Reed and David Walsh",      # several people in one entry
    "Reed & Walsh",
    "Marx und Engels",
    "Маркс и Энгельс",
    "World Socialist Web Site",        # organisations
    "Workers Group",
    "Grupa Robotnicza",
    "Редакция Правды",
    "IMT Moscow",                      # an acronym
    "Clara Weiss 2",                   # digits
    "A B C D E F",                     # too many words
    "Weiss, Clara, Anna",              # more than one comma, none before a suffix
    ", Clara",
    "Weiss,",
    "",
])
def test_names_kept_whole(written):
    name = split_name(written)
    assert name.literal == written
    assert name.family is None and name.given is None
    assert name.inverted() == written


def test_organisations_are_never_split():
    assert split_name("Clara Weiss", organisation=True).literal == "Clara Weiss"
    assert [n.literal for n in split_creators(["Clara Weiss"], "organisation")] == [
        "Clara Weiss"]
    assert split_creators(["Clara Weiss"], "article")[0].family == "Weiss"
    assert split_creators(None) == []


def test_suffixes():
    name = split_name("Martin Luther King Jr.")
    assert (name.family, name.given, name.suffix) == ("King", "Martin Luther", "Jr.")
    assert name.inverted() == "King, Jr., Martin Luther"
    assert name.inverted(suffix_last=True) == "King, Martin Luther, Jr."
    for written in ("King, Jr., Martin Luther", "King, Martin Luther, Jr."):
        again = split_name(written)
        assert (again.family, again.given, again.suffix) == ("King", "Martin Luther", "Jr.")


def test_inverted():
    assert split_name("Clara Weiss").inverted() == "Weiss, Clara"
    assert split_name("Ludwig van Beethoven").inverted() == "van Beethoven, Ludwig"
    assert Name("X", family="X").inverted() == "X"


_word = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Lt")), min_size=1,
                max_size=8) | st.sampled_from(["van", "de", "la", "Van", "De", "Jr.", "and",
                                                 "Клара", "Давидович", "G.", "O’Connor"])


@given(st.lists(_word, min_size=1, max_size=6))
def test_a_split_survives_its_own_inverted_form(words):
    written = " ".join(words)
    name = split_name(written)
    if name.family is None:
        assert name.inverted() == written
        return
    for inverted in (name.inverted(), name.inverted(suffix_last=True)):
        again = split_name(inverted)
        assert (again.family, again.given, again.particle, again.suffix) == (
            name.family, name.given, name.particle, name.suffix)
    # Nothing is lost or invented: the parts hold exactly the words written.
    parts = [name.given, name.particle, name.family, name.suffix]
    assert sorted(" ".join(p for p in parts if p).split()) == sorted(words)
