"""The roof of the ROR orientation engine: the command line and the demo (they may import every package)."""
