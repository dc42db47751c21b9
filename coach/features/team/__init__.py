"""Team management for coordinators: /team."""
