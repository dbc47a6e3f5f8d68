// Ids of every offer, in id order: a national index build cuts them into slices projected in parallel (offer and
// professional-role documents), so that Neo4j works on several slices at once and no kind waits for another.
// Parameters: none.
MATCH (o:Offer) WHERE o.id IS NOT NULL
RETURN o.id AS id ORDER BY id
