// Codes and labels of one NOS value set, for the description form's pickers (retired codes flagged).
// Parameters: $value_set (J17, J19…).
MATCH (c:Concept {value_set: $value_set})
RETURN c.code AS code, c.label AS label, c.retired_on IS NOT NULL AND c.retired_on <= date() AS retired
ORDER BY toLower(c.label), c.code
