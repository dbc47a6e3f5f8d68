// A new unit (offer) declared by a contributor for one of their sites: a draft, attached to the site, to be
// described and then validated. Returns nothing when the site is unknown. Parameters: $finess, $id, $name, $actor.
MATCH (s:Site {finess: $finess})
CREATE (s)-[:OFFERS]->(o:Offer {id: $id, name: $name, status: 'draft', revision: 0, created_at: datetime(),
                                 created_by: $actor, updated_at: datetime(), updated_by: $actor})
RETURN o.id AS id
