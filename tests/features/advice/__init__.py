"""Tests of coach/features/advice: the channel data, matching audiences, the advice in the flow."""
