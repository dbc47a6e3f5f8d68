"""Cross-cutting pieces of the ROR orientation engine: settings, errors, command line."""
