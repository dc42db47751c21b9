"""Small steps: a plan that fits the hours the team has (flows/capacity.yaml)."""
