"""Tests of coach/features/privacy: forgetting a member, deleting a library."""
