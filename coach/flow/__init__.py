"""The seven steps as data: the flow model, positions, parsing and matching answers, views."""
