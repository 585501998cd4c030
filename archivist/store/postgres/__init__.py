"""The PostgreSQL engine: an archive kept in tables of a PostgreSQL database.

Only :mod:`archivist.store` opens it, and only for a ``postgresql://`` location, so
psycopg is imported only then (``archivist --help`` and the JSON file never load it).

* :mod:`.connection`: locations, connecting, and turning server errors into one line.
* :mod:`.schema`: the tables, their version and the migrations applied forward.
* :mod:`.archive`: :class:`~.archive.PgArchive`, the engine's :class:`Archive`.
"""
