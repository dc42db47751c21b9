"""Tests of coach/features, one folder per feature."""
