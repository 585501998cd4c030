"""Errors read as plain sentences and can be caught as the builtins they resemble."""

from __future__ import annotations

import pytest

from archivist import errors


def test_record_not_found_is_a_key_error_with_a_plain_message() -> None:
    err = errors.RecordNotFound("abc")
    assert isinstance(err, KeyError) and isinstance(err, errors.ArchivistError)
    assert str(err) == "no record with id 'abc'"


@pytest.mark.parametrize("cls", [errors.DuplicateRecord, errors.InvalidRecord,
                                 errors.InvalidLink, errors.QuerySyntaxError])
def test_value_errors(cls: type[Exception]) -> None:
    assert issubclass(cls, ValueError)


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


def test_unknown_field_is_a_value_error() -> None:
    assert issubclass(errors.UnknownField, ValueError)
    assert issubclass(errors.UnknownField, errors.ArchivistError)
