"""The strategy document a coordinator exports."""
