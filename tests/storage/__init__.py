"""Tests of coach/storage: migrations of earlier schemas, backups."""
