// NOS concepts the orientation service resolves text and codes against (activities, acts, equipment…).
// Parameters: $value_sets (list of value-set short names, e.g. ["J17", "J16"]).
MATCH (c:Concept) WHERE c.value_set IN $value_sets
RETURN c.value_set AS value_set, c.code AS code, c.label AS label, c.retired_on IS NOT NULL AS retired
ORDER BY value_set, code
