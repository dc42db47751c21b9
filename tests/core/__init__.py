"""Tests of coach/core: the engine, typed input, navigation, the feature protocol, the calendar."""
