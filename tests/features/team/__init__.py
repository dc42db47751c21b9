"""Tests of coach/features/team: the team list, removing members, handing over, invites."""
