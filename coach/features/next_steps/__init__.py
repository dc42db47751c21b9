"""The next small step: the catalogue in flows/next_steps.yaml and its ranking."""
