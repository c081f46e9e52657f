"""The errors the engine raises.  Each names the file, and where it can the column and rows,
and says what to do about it."""

from __future__ import annotations


class LinkageError(Exception):
    """Base class of every error this package raises on purpose."""


class InputFileError(LinkageError):
    """A file that cannot be read as a register: missing, unreadable, or of an unknown type."""


class SchemaError(LinkageError):
    """A readable file whose columns or keys break SCHEMA.md (missing required column,
    duplicated record_id)."""

    def __init__(self, message: str, *, path: str = "", column: str = "", rows: list[int] | None = None):
        super().__init__(message)
        self.path = path
        self.column = column
        self.rows = rows or []


class ConfigError(LinkageError):
    """A configuration, rules or model file that is malformed or of the wrong version."""


class OutputFolderError(LinkageError):
    """An output location that cannot take a run's results (a file, unwritable, a folder of
    other files), or writing the results failed; found before the work where it can be."""


class ResultFolderError(LinkageError):
    """A folder that is not the complete result of a run: no manifest, or files that do not match it."""
