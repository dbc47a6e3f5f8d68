"""Loaders: parse → validate → normalise → write to the graph in batches (rejects reported, never silent)."""
