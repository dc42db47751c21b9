"""Privacy: /vergeet, deleting a library, the library's forget policy."""
