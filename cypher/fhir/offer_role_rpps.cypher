// RPPS of the professionals working in an offer (its PractitionerRoles are `<rpps>.<offer id>`). $id.
MATCH (p:Professional)-[:WORKS_IN]->(:Offer {id: $id})
RETURN p.rpps AS rpps ORDER BY rpps
