"""Errors read as plain sentences and derive from ArchivistError alone, so that code catching
a builtin (``except (ValueError, KeyError)``) never swallows a user's error."""

from __future__ import annotations

import pytest

from archivist import errors


def test_record_not_found_has_a_plain_message() -> None:
    err = errors.RecordNotFound("abc")
    assert isinstance(err, errors.ArchivistError)
    assert str(err) == "no record with id 'abc'"


LIBRARY_ERRORS = sorted(
    (cls for cls in vars(errors).values()
     if isinstance(cls, type) and issubclass(cls, errors.ArchivistError)),
    key=lambda cls: cls.__name__)


@pytest.mark.parametrize("cls", LIBRARY_ERRORS, ids=[c.__name__ for c in LIBRARY_ERRORS])
def test_library_errors_are_no_builtin_errors(cls: type[Exception]) -> None:
    for builtin in (ValueError, KeyError, LookupError, OSError, TimeoutError):
        assert not issubclass(cls, builtin), f"{cls.__name__} is a {builtin.__name__}"


def test_a_handler_of_builtin_errors_does_not_swallow_a_query_error() -> None:
    with pytest.raises(errors.QuerySyntaxError):
        try:
            raise errors.QuerySyntaxError("unbalanced", "(a", 1)
        except (ValueError, KeyError):  # the damaged-index fallback's shape
            pytest.fail("a user's query error was swallowed")


def test_query_error_names_the_column() -> None:
    assert str(errors.QuerySyntaxError("unbalanced", "(a", 1)) == (
        "bad query (column 1): unbalanced")


def test_import_failed_keeps_every_problem() -> None:
    err = errors.ImportFailed(["a.yaml:1:1: x", "a.yaml:2:1: y"])
    assert err.problems == ["a.yaml:1:1: x", "a.yaml:2:1: y"]
    assert str(err).splitlines() == err.problems


def test_record_not_found_may_name_the_closest_id() -> None:
    err = errors.RecordNotFound("abd", "abc")
    assert (err.record_id, err.closest) == ("abd", "abc")
    assert str(err) == "no record with id 'abd'; did you mean 'abc'?"


def test_unknown_field_is_an_archivist_error() -> None:
    assert issubclass(errors.UnknownField, errors.ArchivistError)


def test_unknown_field_says_where_the_name_was_given() -> None:
    err = errors.UnknownField("titel", what="sort key", where="the sort keys",
                              hint="; did you mean 'title'?")
    assert str(err) == "unknown sort key 'titel' in the sort keys; did you mean 'title'?"
    assert str(err.given_in("--sort")) == ("unknown sort key 'titel' in --sort; did you "
                                           "mean 'title'?")
    assert str(errors.UnknownField("qqq")) == "unknown field 'qqq' in the query"


def test_a_record_in_use_says_how_to_remove_it_in_the_callers_terms() -> None:
    err = errors.RecordInUse("a", "b", "a cites b")
    assert str(err) == ("a is linked with b (a cites b); unlink it first or remove it "
                        "with force=True")
    assert str(err.with_remedy("use --force")) == ("a is linked with b (a cites b); unlink "
                                                   "it first or use --force")
