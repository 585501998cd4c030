"""The JSON-file engine: an archive is one JSON file, with an index file beside it.

Only :mod:`archivist.store` opens it; nothing outside ``store/`` imports from here.

* :mod:`.archive`: :class:`~.archive.JsonArchive`, the engine's :class:`Archive`.
* :mod:`.reader` and :mod:`.writer`: the file's layout, read and written as text.
* :mod:`.recordtable`, :mod:`.linktable`: the records and links tables.
* :mod:`.historylog`: the history table, left as text until a command reads it.
* :mod:`.summaryindex`, :mod:`.indexkeeper`: the index file and keeping it current.
* :mod:`.lock`: the lock writers hold from before their read to after their write.
"""
