"""Tests of coach/features/export: the strategy as a Markdown document."""
