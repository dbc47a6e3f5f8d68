// Remove the role of professional $rpps in offer $id (the professional stays) and bump the offer's description
// revision. Returns nothing when there is no such role. Run after write/offer_description_lock.
// Parameters: $id, $rpps, $actor.
MATCH (pr:Professional {rpps: $rpps})-[w:WORKS_IN]->(o:Offer {id: $id})
WITH pr, o, w, w {.function, .nature, .email, .phone} AS before
DELETE w
// the professional's FHIR Practitioner may lose the région tag this role gave it: dated for the delta exports
SET o.revision = coalesce(o.revision, 0) + 1, o.updated_at = datetime(), o.updated_by = $actor,
    pr.updated_at = datetime()
RETURN before, o.revision AS revision
