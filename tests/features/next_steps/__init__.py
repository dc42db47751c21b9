"""Tests of coach/features/next_steps: the catalogue of small steps and how they are chosen."""
