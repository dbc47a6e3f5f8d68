// Create or change the role of professional $rpps in offer $id: contact function (J220 code), nature (J221),
// e-mail, phone ($fields: only the keys given change; a null value removes the property). Bumps the offer's
// description revision (contacts are part of the description the quality rules and validation look at).
// Returns nothing when the professional is unknown. Run after write/offer_description_lock.
// Parameters: $id, $rpps, $fields, $actor.
MATCH (o:Offer {id: $id}), (pr:Professional {rpps: $rpps})
OPTIONAL MATCH (pr)-[old:WORKS_IN]->(o)
WITH o, pr, old IS NULL AS created, old {.function, .nature, .email, .phone} AS before
MERGE (pr)-[w:WORKS_IN]->(o)
SET w += $fields, w.updated_at = datetime(), w.updated_by = $actor,
    o.revision = coalesce(o.revision, 0) + 1, o.updated_at = datetime(), o.updated_by = $actor
// a new role can change the professional's FHIR Practitioner (its région tag): date it for the delta exports
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END | SET pr.updated_at = datetime())
RETURN created, before, w {.function, .nature, .email, .phone} AS after, o.revision AS revision
