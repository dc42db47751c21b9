"""One strategy per library: the coordinator's to-decide list, assignments, the daily
digest and the majority setting."""
