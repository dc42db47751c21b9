"""SQLite: the connection, migrations and one module per group of tables.

The only place in the code that runs SQL."""
