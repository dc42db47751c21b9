"""Channel advice: where the audience is (step 2), a check of the chosen channels (step 6)."""
