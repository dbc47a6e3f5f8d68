// Keys of the concepts retired at the reference date. Parameters: $as_of (date).
MATCH (c:Concept) WHERE c.retired_on IS NOT NULL AND c.retired_on <= $as_of
RETURN c.key AS key
