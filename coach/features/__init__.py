"""Features, one folder each, each registered once in coach/features/__init__.py."""
