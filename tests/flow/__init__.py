"""Tests of coach/flow: the flow file, matching typed answers, numbers, the vocabulary."""
