"""The OpenSearch index: a projection of the graph, rebuildable at any time."""
