"""Generated ids: short, typable, stable, unique."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.ids import base_id, generate_id, surname, transliterate
from archivist.models import ID_PATTERN


@pytest.mark.parametrize(
    ("title", "creators", "year", "expected"),
    [
        ("Dear Comrades: Russian film about the 1962 Novocherkassk massacre",
         ("Clara Weiss",), "2021", "weiss-2021-dear-comrades"),
        ("The Russian Revolution and the Unfinished Twentieth Century", ("David North",),
         "2014", "north-2014-russian-revolution-unfinished"),
        ("Новочеркасск расстрел", ("Иван Петров",), "1962",
         "petrov-1962-novocherkassk-rasstrel"),
        ("List otwarty delegacji", ("Łukasz Żółć",), None, "zolc-list-otwarty-delegacji"),
        ("Workers' Power", (), "2024", "2024-workers-power"),
        ("July 31—August 6", ("Bill Van Auken",), "2017", "van-auken-2017-july-31-august"),
        ("The", (), None, "the"),
        ("!!!", (), None, "record"),
    ],
)
def test_base_id(title: str, creators: tuple[str, ...], year: str | None,
                 expected: str) -> None:
    assert base_id(title, creators, year) == expected


@pytest.mark.parametrize(("creator", "expected"), [
    ("Clara Weiss", "weiss"),
    ("Weiss, Clara", "weiss"),
    ("Лев Давидович Троцкий", "trotskii"),
    ("Троцкий Лев Давидович", "trotskii"),    # not "davidovich": family name first
    ("Троцкий, Лев Давидович", "trotskii"),
    ("Троцкий Л. Д.", "trotskii"),
    ("Крупская Надежда Константиновна", "krupskaia"),
    ("Ludwig van Beethoven", "van-beethoven"),
    ("Charles de la Cruz", "de-la-cruz"),
    ("Patrick O’Connor", "oconnor"),
    ("Miasnikov G. T.", "miasnikov"),
    # kept whole, as the citation exports keep them
    ("Polski Komitet Wyzwolenia Narodowego", "polski-komitet-wyzwolenia-narodowego"),
    ("World Socialist Web Site", "world-socialist-web-site"),
    ("our correspondents", "our-correspondents"),
    ("Trotsky", "trotsky"),
])
def test_surname_is_the_family_name_the_citation_exports_use(creator: str,
                                                            expected: str) -> None:
    assert surname(creator) == expected


def test_a_russian_name_gives_one_id_in_either_order() -> None:
    ids = {base_id("История русской революции", (creator,), "1930")
           for creator in ("Троцкий Лев Давидович", "Лев Давидович Троцкий")}
    assert ids == {"trotskii-1930-istoriia-russkoi-revoliutsii"}
    assert base_id("Manifest", ("Polski Komitet Wyzwolenia Narodowego",), "1944") == (
        "polski-komitet-wyzwolenia-narodowego-1944-manifest")


def test_transliteration_of_cyrillic_and_polish() -> None:
    assert transliterate("Щёкино Żółć") == "shchekino zolc"


def test_collisions_get_a_suffix_and_the_result_is_stable() -> None:
    taken = {"weiss-2021-dear-comrades", "weiss-2021-dear-comrades-2"}
    first = generate_id("Dear Comrades", ("Clara Weiss",), "2021-02-09", taken)
    assert first == "weiss-2021-dear-comrades-3"
    assert generate_id("Dear Comrades", ("Clara Weiss",), "2021-02-09", taken) == first


@given(st.text(max_size=60), st.lists(st.text(max_size=20), max_size=2))
def test_generated_ids_are_always_valid(title: str, creators: list[str]) -> None:
    record_id = generate_id(title, tuple(creators), None, set())
    assert ID_PATTERN.match(record_id)
