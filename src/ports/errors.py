"""Errors that adapters raise in the ports' own terms, so the core never sees a driver's."""


class StorageUnavailable(Exception):
    """The store cannot be reached or cannot write right now (database down, disk full)."""


class AlreadyExists(Exception):
    """A unique rule of the store refused a write: another transaction got there first."""
