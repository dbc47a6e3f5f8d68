"""Fetch, start and stop the real Neo4j and OpenSearch engines as local JVM processes (no Docker)."""
