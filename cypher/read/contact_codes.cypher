// The contact functions (NOS J220) and natures (J221) of the loaded nomenclature, not retired: the choices of
// the contact form. Parameters: none.
MATCH (c:Concept) WHERE c.value_set IN ['J220', 'J221'] AND (c.retired_on IS NULL OR c.retired_on > date())
RETURN c.value_set AS value_set, c.code AS code, c.label AS label ORDER BY value_set, code
