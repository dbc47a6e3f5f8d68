// Which of the given codes exist in their NOS value set, with their retirement date (description edits).
// Parameters: $items ([{field, value_set, code}]).
UNWIND $items AS item
MATCH (c:Concept {key: item.value_set + '|' + item.code})
RETURN item.field AS field, c.code AS code, c.label AS label, c.retired_on AS retired_on
