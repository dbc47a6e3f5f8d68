"""The FHIR search index: one OpenSearch index per resource type, documents computed from the rendered resources."""
