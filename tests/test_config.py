"""Where the default archive lives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from archivist import config


def test_default_follows_xdg_data_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert config.default_archive_path() == tmp_path / "archivist" / "archive.json"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert config.data_dir() == Path.home() / ".local" / "share" / "archivist"


def test_other_platforms(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert config.data_dir() == Path.home() / "Library" / "Application Support" / "archivist"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path))
    assert config.data_dir() == tmp_path / "archivist"
