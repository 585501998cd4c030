"""Splitting creators into family and given names, only where that is unambiguous, and
the one family-name rule that ids, duplicates, merging and the citation exports share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.ids import surname
from archivist.names import (
    Name,
    family_key,
    family_name,
    fold_name,
    same_person,
    split_creators,
    split_name,
)


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
    # initials last, as reference lists write them
    ("Троцкий Л. Д.", "Троцкий", "Л. Д.", None),
    ("Троцкий Л.Д.", "Троцкий", "Л.Д.", None),
    ("Miasnikov G. T.", "Miasnikov", "G. T.", None),
    ("Sartre J.-P.", "Sartre", "J.-P.", None),
    ("Malcolm X", "X", "Malcolm", None),   # a letter without a dot is not an initial
    ("Ульянов В. И.", "Ульянов", "В. И.", None),   # И. is an initial, not "и" (and)
    ("A. I. Weiss", "Weiss", "A. I.", None),
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


# -- one family-name rule ----------------------------------------------------------------

#: Two spellings: whether their family names agree (duplicates and ids see one
#: creator) and whether merging takes them for one person.
PAIRS = [
    # Russian, both orders, with and without the patronymic, initials
    ("Троцкий Лев Давидович", "Лев Давидович Троцкий", True, True),
    ("Троцкий Лев Давидович", "Троцкий, Лев Давидович", True, True),
    ("Троцкий Лев Давидович", "Лев Троцкий", True, True),
    ("Троцкий Лев Давидович", "Троцкий Л. Д.", True, True),
    ("Лев Давидович Троцкий", "Л. Д. Троцкий", True, True),
    ("Крупская Надежда Константиновна", "Надежда Константиновна Крупская", True, True),
    ("Шостакович Дмитрий Дмитриевич", "Дмитрий Дмитриевич Шостакович", True, True),
    ("Троцкий Лев Давидович", "Троцкий Сергей Львович", True, False),
    ("Троцкий Лев Давидович", "Лев Николаевич Троцкий", True, False),
    ("Лев Давидович Троцкий", "Лев Николаевич Толстой", False, False),
    # Western names, "Family, Given", particles, suffixes, initials
    ("Clara Weiss", "Weiss, Clara", True, True),
    ("Clara Weiss", "clara  weiss", False, True),   # the same text, folded
    ("Clara Weiss", "C. Weiss", True, True),
    ("Clara Weiss", "Weiss C.", True, True),
    ("Clara Weiss", "Anna Weiss", True, False),
    ("Clara Weiss", "Clara North", False, False),
    ("G. T. Miasnikov", "Gavril Miasnikov", True, True),
    ("G. T. Miasnikov", "Miasnikov, G. T.", True, True),
    ("J.-P. Sartre", "Jean-Paul Sartre", True, True),
    ("Patrick O’Connor", "Patrick O'Connor", True, True),
    ("Stanisław Żółkiewski", "Zolkiewski, Stanislaw", True, True),
    ("Ludwig van Beethoven", "van Beethoven, Ludwig", True, True),
    ("Ludwig van Beethoven", "Ludwig Beethoven", False, False),
    ("Bill Van Auken", "Van Auken, Bill", True, True),
    ("Martin Luther King Jr.", "King, Martin Luther", True, True),
    ("Martin Luther King Jr.", "Martin Luther King Sr.", True, False),
    ("Trotsky", "Leon Trotsky", True, True),         # a name without given names
    # kept whole: organisations and collective bylines are their whole name
    ("Polski Komitet Wyzwolenia Narodowego", "polski komitet wyzwolenia narodowego",
     True, True),
    ("Polski Komitet Wyzwolenia Narodowego", "Jan Narodowego", False, False),
    ("World Socialist Web Site", "Site, World Socialist Web", False, False),
    ("our correspondents", "Our Correspondents", True, True),
    ("Kevin Reed and David Walsh", "David Walsh", False, False),
]


@pytest.mark.parametrize(("first", "second", "same_family", "same"), PAIRS)
def test_pairs_of_spellings(first: str, second: str, same_family: bool,
                            same: bool) -> None:
    assert (family_key(first) == family_key(second)) is same_family
    assert (surname(first) == surname(second)) is same_family
    assert same_person(first, second) is same
    assert same_person(second, first) is same


@pytest.mark.parametrize(("written", "family"), [
    ("Clara Weiss", "Weiss"),
    ("Weiss, Clara", "Weiss"),
    ("Ludwig van Beethoven", "van Beethoven"),
    ("Charles de la Cruz", "de la Cruz"),
    ("Bill Van Auken", "Van Auken"),
    ("Троцкий Лев Давидович", "Троцкий"),
    ("Лев Давидович Троцкий", "Троцкий"),
    ("Троцкий Л. Д.", "Троцкий"),
    ("Trotsky", "Trotsky"),
    ("Polski Komitet Wyzwolenia Narodowego", "Polski Komitet Wyzwolenia Narodowego"),
    ("  World  Socialist Web Site ", "World Socialist Web Site"),
    ("our correspondents", "our correspondents"),
    ("bell hooks", "bell hooks"),
])
def test_family_name(written: str, family: str) -> None:
    assert family_name(written) == family


def test_family_key_folds() -> None:
    assert family_key("Stanisław Żółkiewski") == "zolkiewski"
    assert family_key("Patrick O’Connor") == family_key("Patrick OConnor") == "oconnor"
    assert family_key("Weiss, Clara") == "weiss"
    assert family_key(None) == family_key("") == ""
    assert fold_name("  G. T.  Miasnikov ") == "g t miasnikov"


@given(st.lists(_word, min_size=1, max_size=6))
def test_every_form_of_a_name_has_its_family_key(words):
    written = " ".join(words)
    name = split_name(written)
    assert same_person(written, written)
    for form in (name.inverted(), name.inverted(suffix_last=True)):
        assert family_key(form) == family_key(written)
        assert same_person(form, written) and same_person(written, form)


_GIVEN = st.sampled_from(["Лев", "Надежда", "Дмитрий", "Мария", "Александр"])
_PATRONYMIC = st.sampled_from(["Давидович", "Дмитриевич", "Ильич", "Константиновна",
                               "Ильинична", "Сергеевна"])
_FAMILY = st.sampled_from(["Троцкий", "Крупская", "Шостакович", "Рабинович", "Ульянова",
                           "Бухарин"])


@given(_GIVEN, _PATRONYMIC, _FAMILY)
def test_russian_names_in_either_order_are_one_person(given_name, patronymic, family):
    forms = [f"{given_name} {patronymic} {family}", f"{family} {given_name} {patronymic}",
             f"{family}, {given_name} {patronymic}", f"{given_name} {family}",
             f"{family} {given_name[0]}. {patronymic[0]}.",
             f"{given_name[0]}. {patronymic[0]}. {family}"]
    for form in forms:
        assert family_name(form) == family
        assert same_person(forms[0], form)
    assert len({split_name(f).inverted() for f in forms[:3]}) == 1
