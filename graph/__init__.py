"""The Neo4j graph: source of truth of the offer of care."""
