"""Errors that adapters raise in the ports' own terms, so the core never sees a driver's."""


class StorageUnavailable(Exception):
    """The store cannot be reached or cannot write right now (database down, disk full)."""


class AlreadyExists(Exception):
    """A unique rule of the store refused a write: another transaction got there first."""


class DataRejected(Exception):
    """The store refuses a value (too long, a NUL byte, not text): the data is wrong, not the
    store. Names the field, never the value."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"field {field!r} {problem}")
        self.field = field
        self.problem = problem
