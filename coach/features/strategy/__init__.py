"""The seven steps of the strategy: asking the questions, storing the answers,
moving back and forth (continue, back, skip, edit, restart, pause, overview)."""
