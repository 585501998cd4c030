"""Creators' names: one rule for ids, duplicates, merging and the citation exports.

Records keep creators as written (``Clara Weiss``, ``our correspondents``, ``World
Socialist Web Site``).  BibTeX, CSL-JSON and RIS would like a family name and given
names; guessing wrongly corrupts a bibliography, so a creator is split only when the
split is unambiguous, and is otherwise kept whole as a *literal* name:

=================================  ============================================
written                            becomes
=================================  ============================================
``Clara Weiss``                    family ``Weiss``, given ``Clara``
``Weiss, Clara``                   the same
``G. T. Miasnikov``                family ``Miasnikov``, given ``G. T.``
``Miasnikov G. T.``                the same (initials last mean family first)
``Ludwig van Beethoven``           family ``Beethoven``, particle ``van``
``Bill Van Auken``                 family ``Van Auken`` (a capitalised particle
                                   belongs to the family name)
``Лев Давидович Троцкий``          family ``Троцкий``, given ``Лев Давидович``
``Троцкий Лев Давидович``          the same (a patronymic last means family first)
``Trotsky``                        literal (one word)
``bell hooks``                     literal (a name written in lower case)
``our correspondents``             literal (a collective byline)
``Kevin Reed and David Walsh``     literal (several people in one entry)
``World Socialist Web Site``       literal (an organisation)
=================================  ============================================

Creators of a record whose kind is an organisation are always literal in citations.

The same split gives every other use of a name its *family name*
(:func:`family_name`): the family name with its particles (``van Beethoven``,
``Van Auken``, ``Троцкий``) when the name splits, else the whole name as written
(``Polski Komitet Wyzwolenia Narodowego``, ``Trotsky``).  Ids are made from it
(:mod:`archivist.ids`), duplicates compare it folded (:func:`family_key`), and merging
takes two creators for one person when :func:`same_person` says so.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from archivist.folding import fold

#: Lower-case words that begin a family name (``van Gogh``, ``de la Cruz``).
PARTICLES = frozenset({
    "van", "von", "de", "der", "den", "del", "della", "delle", "dei", "degli", "di", "da",
    "das", "dos", "do", "du", "des", "la", "le", "les", "ter", "ten", "te", "zu", "zur",
    "af", "av", "al", "el", "bin", "ibn", "ben", "bat", "op",
})
# Capitalised particles that, between given names and a family name, belong to the
# family name as most of their bearers write it (Bill Van Auken, Robert De Niro).
_CAPITAL_PARTICLES = frozenset({"Van", "Von", "De", "Der", "Den", "Del", "Della", "Di",
                                "Da", "Du", "Des", "La", "Le", "Ter", "Ten"})
#: Words that make a byline collective or an organisation's name: never split.
COLLECTIVE_WORDS = frozenset({
    # conjunctions joining several people in one entry
    "and", "&", "und", "et", "i", "и", "і", "a", "og", "och", "en", "with",
    # collective bylines
    "correspondent", "correspondents", "staff", "editorial", "editors", "editor",
    "board", "team", "collective", "committee", "reporters", "reporter", "writers",
    "bureau", "desk", "newsroom", "contributors", "members", "comrades", "authors",
    "anonymous", "unknown", "various",
    # organisations
    "web", "site", "website", "party", "international", "league", "union", "press",
    "institute", "society", "association", "agency", "news", "network", "group",
    "organisation", "organization", "council", "federation", "foundation", "university",
    "college", "school", "library", "archive", "archives", "museum", "ministry",
    "department", "office", "government", "company", "corporation", "inc", "inc.",
    "ltd", "ltd.", "llc", "gmbh", "co.", "publishers", "publishing", "books", "media",
    "times", "post", "review", "journal", "magazine", "tribune", "herald", "gazette",
    "world", "socialist", "communist", "workers", "workers'", "movement", "tendency",
    "front", "centre", "center", "project", "wikipedia", "pravda",
    # the same in the languages of the collection (Polish, Russian, German, French)
    "grupa", "partia", "związek", "komitet", "redakcja", "gruppe", "partei", "bund",
    "groupe", "parti", "comité", "rédaction", "группа", "партия", "союз", "комитет",
    "редакция", "газета", "журнал",
})
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
# A name word: a capital letter, then letters, apostrophes, hyphens or a final dot
# (Clara, O’Connor, Jean-Paul, G., Żółkiewski, Троцкий).  Initials like "J.-P." pass.
_NAME_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’\-.])*$")
# Russian patronymics (Давидович, Ильич, Сергеевна, Ильинична), in Cyrillic only: in
# Latin letters "-vich" is as often a family name (Jovanovich).
_PATRONYMIC = re.compile(r"(?:ич|вна|ична)$")
_CYRILLIC = re.compile(r"^[\u0400-\u04ff'’\-]+$")
# An initial with its dot: "G.", "Л.", "J.-P.", "G.T.".
_INITIAL = re.compile(r"^[^\W\d_]\.(?:-?[^\W\d_]\.)*$")
# What folded names are compared without: apostrophes join (O’Connor, OConnor), any
# other non-letter separates.
_APOSTROPHES = re.compile(r"['’ʼ]")
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Name:
    """One creator as a citation format sees it.

    Either ``literal`` is set (the name is used whole, as written), or ``family`` is,
    with ``given``, ``particle`` (lower-case: ``van``) and ``suffix`` (``Jr.``) when
    present.  ``written`` is always the creator as the record has it.
    """

    written: str
    family: str | None = None
    given: str | None = None
    particle: str | None = None
    suffix: str | None = None

    @property
    def literal(self) -> str | None:
        """The whole name when it was not split, else ``None``."""
        return self.written if self.family is None else None

    def inverted(self, *, suffix_last: bool = False) -> str:
        """``Family, Given`` (``van Gogh, Vincent``), or the literal as written.

        A suffix goes between them as BibTeX wants (``King, Jr., Martin``), or last
        with ``suffix_last`` as RIS wants (``King, Martin, Jr.``).
        """
        if self.family is None:
            return self.written
        family = f"{self.particle} {self.family}" if self.particle else self.family
        parts = [family, self.given or ""]
        if self.suffix:
            parts.insert(len(parts) if suffix_last else 1, self.suffix)
        return ", ".join(p for p in parts if p)


def _is_name_word(word: str) -> bool:
    return bool(_NAME_WORD.match(word)) and word[0].isupper() and not _is_acronym(word)


def _is_acronym(word: str) -> bool:
    # "IMT", "WSWS": an organisation's initials, not a person's name.
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters) and "." not in word


def _is_initial(word: str) -> bool:
    return bool(_INITIAL.match(word)) and word[0].isupper()


def _collective(words: list[str]) -> bool:
    # An initial is never a conjunction: "Л. И." is not "Л. и".
    return any(w.casefold().strip(",.;:") in COLLECTIVE_WORDS
               and not _is_initial(w.rstrip(",;:")) for w in words)


def _split_family(words: list[str]) -> tuple[str | None, str] | None:
    """``(particle, family)`` from the words of a family name, or ``None`` if odd."""
    if not words:
        return None
    particles: list[str] = []
    rest = list(words)
    while len(rest) > 1 and rest[0] in PARTICLES:
        particles.append(rest.pop(0))
    if not all(_is_name_word(w) or w in _CAPITAL_PARTICLES for w in rest):
        return None
    if not _is_name_word(rest[-1]):
        return None
    return (" ".join(particles) or None), " ".join(rest)


def _given_ok(words: list[str]) -> bool:
    return 1 <= len(words) <= 3 and all(_is_name_word(w) for w in words)


# Archives repeat the same few creators many times over; Name is immutable, so a
# cached split is safe to share.
@functools.lru_cache(maxsize=4096)
def split_name(written: str, *, organisation: bool = False) -> Name:
    """Split one creator into family and given names, or keep it whole.

    :param written: the creator as the record has it.
    :param organisation: the creator is known to be an organisation (kept whole).
    :returns: a :class:`Name`; ``Name.literal`` is set when the split was not safe.
    """
    text = " ".join(written.split())
    whole = Name(written=written)
    if organisation or not text or any(c.isdigit() for c in text):
        return whole
    if "," in text:
        parts = [part.strip() for part in text.split(",")]
        suffix = None
        if len(parts) == 3 and parts[1] in _SUFFIXES:    # King, Jr., Martin (BibTeX)
            suffix = parts.pop(1)
        elif len(parts) == 3 and parts[2] in _SUFFIXES:  # King, Martin, Jr. (RIS)
            suffix = parts.pop(2)
        if len(parts) != 2:
            return whole
        family_words, given_words = parts[0].split(), parts[1].split()
        if _collective(family_words + given_words) or not _given_ok(given_words):
            return whole
        return _family_given(written, family_words, given_words, suffix) or whole
    words = text.split()
    if len(words) < 2 or len(words) > 5 or _collective(words):
        return whole
    suffix = None
    if words[-1] in _SUFFIXES and len(words) > 2:
        suffix = words.pop()
    if (len(words) == 3 and all(_CYRILLIC.match(w) and _is_name_word(w) for w in words)
            and _PATRONYMIC.search(words[2]) and not _PATRONYMIC.search(words[1])):
        # Family name first, as Russian lists write it: Троцкий Лев Давидович (but
        # Дмитрий Дмитриевич Шостакович, whose middle word is the patronymic, is not).
        return Name(written=written, family=words[0], given=" ".join(words[1:]),
                    suffix=suffix)
    if (2 <= len(words) <= 4 and _is_name_word(words[0]) and not _is_initial(words[0])
            and all(_is_initial(w) for w in words[1:])):
        # Initials last, as reference lists write them: Miasnikov G. T., Троцкий Л. Д.
        return Name(written=written, family=words[0], given=" ".join(words[1:]),
                    suffix=suffix)
    # The family name starts at the first particle after the given names, else it is
    # the last word.
    start = len(words) - 1
    for i in range(1, len(words) - 1):
        if words[i] in PARTICLES or words[i] in _CAPITAL_PARTICLES:
            start = i
            break
    given_words, family_words = words[:start], words[start:]
    if not _given_ok(given_words):
        return whole
    return _family_given(written, family_words, given_words, suffix) or whole


def _family_given(written: str, family_words: list[str], given_words: list[str],
                  suffix: str | None) -> Name | None:
    """A name from its family and given words, or ``None`` when the family part is not
    a plausible family name (over three words, or no name word after the particles)."""
    if len(family_words) > 3:
        return None
    family = _split_family(family_words)
    if family is None:
        return None
    return Name(written=written, family=family[1], given=" ".join(given_words),
                particle=family[0], suffix=suffix)


def split_creators(creators: Sequence[str] | None, kind: str | None = None) -> list[Name]:
    """Every creator of a record, split where safe (see :func:`split_name`)."""
    organisation = kind == "organisation"
    return [split_name(c, organisation=organisation) for c in creators or ()]


# -- one name for every comparison -----------------------------------------------------


def family_name(written: str) -> str:
    """The family name of a creator, with its particles, as written.

    ``Ludwig van Beethoven`` gives ``van Beethoven``, ``Троцкий Лев Давидович`` and
    ``Лев Давидович Троцкий`` give ``Троцкий``; a creator kept whole
    (:func:`split_name`) is its own family name, spaces folded (``World Socialist Web
    Site``, ``Trotsky``).  This is what ids are made from and duplicates compare.
    """
    name = split_name(written)
    if name.family is None:
        return " ".join(written.split())
    return f"{name.particle} {name.family}" if name.particle else name.family


def fold_name(text: str) -> str:
    """Name text reduced for comparison: folded (:func:`archivist.folding.fold`),
    apostrophes dropped, every other non-letter a single space."""
    return " ".join(_NON_WORD.sub(" ", _APOSTROPHES.sub("", fold(text))).split())


@functools.lru_cache(maxsize=4096)
def family_key(written: str | None) -> str:
    """The folded :func:`family_name` of a creator; ``""`` for none.

    Two creators with the same key have the same family name, whatever order or form
    they were written in (``Weiss, Clara`` and ``Clara Weiss``: ``weiss``).
    """
    return fold_name(family_name(written)) if written else ""


@dataclass(frozen=True)
class _Person:
    family: str
    given: tuple[str, ...]
    suffix: str


@functools.lru_cache(maxsize=4096)
def _person(written: str) -> _Person:
    name = split_name(written)
    return _Person(family_key(written), tuple(fold_name(name.given or "").split()),
                   fold_name(name.suffix or ""))


def _given_agrees(mine: str, theirs: str) -> bool:
    # An initial agrees with every name it begins: "l" with "lev".
    return (mine == theirs or (len(mine) == 1 and theirs.startswith(mine))
            or (len(theirs) == 1 and mine.startswith(theirs)))


def same_person(first: str, second: str) -> bool:
    """Whether two spellings can name one person, as merging decides it.

    They can when they fold to the same text (``Clara Weiss``, ``clara  weiss``), or
    when their family keys agree (:func:`family_key`), their given names agree word
    by word as far as both go (the same word, or an initial of it: ``Л. Д.`` and
    ``Лев Давидович``; a patronymic or middle name left out does not disagree, nor does
    a name written without given names, ``Trotsky``), and their suffixes agree where
    both have one (``Jr.``).
    """
    if fold_name(first) == fold_name(second):
        return True
    mine, theirs = _person(first), _person(second)
    if not mine.family or mine.family != theirs.family:
        return False
    if mine.suffix and theirs.suffix and mine.suffix != theirs.suffix:
        return False
    return all(_given_agrees(a, b) for a, b in zip(mine.given, theirs.given))
