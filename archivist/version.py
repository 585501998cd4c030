"""archivist's version, in a module of its own so that any module may read it without
importing the package's front (:mod:`archivist`), which imports the rest lazily."""

from __future__ import annotations

#: The release, as in ``pyproject.toml``.
VERSION = "0.1.0"
