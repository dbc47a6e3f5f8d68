// FHIR HealthcareService rows, one per Offer, with everything the mapper needs.
// Parameters: $ids (list of Offer.id). Rows come back in no particular order (the caller re-orders).
// Only published offers are public (docs/graph-model.md): others are absent (a read answers 404, or 410 when
// the offer was un-published: its Tombstone).
UNWIND $ids AS wanted
MATCH (o:Offer {id: wanted})
WHERE o.status = 'published'
OPTIONAL CALL (o) {
  MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
  RETURN s LIMIT 1
}
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(:Department)-[:IN]->(r:Region)
  RETURN r LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(:Department)-[:IN]->(r:Region)
  RETURN r LIMIT 1
}
RETURN o {.id, .name, .phone, .email, .status, .opening, .synthetic, .intervention_zone, .psychiatric_sector,
          .closed_from, .reopening_on,
          last_updated: coalesce(o.updated_at, o.loaded_at)} AS offer,
       s.finess AS site_finess, r.code AS region_code, r.name AS region_name,
       COLLECT { MATCH (o)-[:AT]->(p:Place) RETURN p.id ORDER BY p.id } AS place_ids,
       COLLECT { MATCH (o)-[:PROVIDES]->(c:Activity) RETURN c {.system_url, .code, .label} ORDER BY c.code }
         AS activities,
       COLLECT { MATCH (o)-[:MODE]->(c:CareMode) RETURN c {.system_url, .code, .label} ORDER BY c.code }
         AS care_modes,
       COLLECT { MATCH (o)-[:PERFORMS]->(c:Act) RETURN c {.system_url, .code, .label} ORDER BY c.code } AS acts,
       COLLECT { MATCH (o)-[:RECEPTION]->(c:ReceptionMode) RETURN c {.system_url, .code, .label} ORDER BY c.code }
         AS reception_modes,
       COLLECT { MATCH (o)-[:OF_TYPE]->(c:OfferType) RETURN c {.system_url, .code, .label} ORDER BY c.code }
         AS offer_types,
       COLLECT { MATCH (o)-[:FOR_AGE]->(c:AgeGroup) RETURN c {.system_url, .code, .label} ORDER BY c.code }
         AS age_groups,
       COLLECT { MATCH (o)-[:FOR_PUBLIC]->(c:Public) RETURN c {.system_url, .code, .label} ORDER BY c.code }
         AS publics,
       COLLECT { MATCH (o)-[:IN_FIELD]->(c:Field) RETURN c {.system_url, .code, .label} ORDER BY c.code } AS fields,
       COLLECT { MATCH (o)-[:PROVIDES]->(:Activity)<-[:GROUPS]-(c:ActivityFamily)
                 RETURN DISTINCT c {.system_url, .code, .label} ORDER BY c.code } AS families
