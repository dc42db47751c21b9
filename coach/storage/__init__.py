"""SQLite: the connection, migrations and one module per group of tables.

The only place in the code that runs SQL. Code elsewhere holds the database object
(typed :data:`Database`) and passes it to the functions here."""

from sqlite_utils import Database

__all__ = ["Database"]
