"""Data quality: rules as data, completeness, validation workflow, population follow-up, NOS retired codes."""
