// Switchboard of each site shown on a result page: its own FINESS line, else the line of another site of the same
// legal entity (the main site of a hospital often holds the number of its satellites).
// Parameters: $finess (list of site FINESS numbers).
MATCH (s:Site) WHERE s.finess IN $finess
OPTIONAL MATCH (s)<-[:OPERATES]-(:LegalEntity)-[:OPERATES]->(other:Site)
  WHERE s.phone IS NULL AND other.phone IS NOT NULL
WITH s, other ORDER BY other.finess
WITH s, head(collect(other)) AS other
RETURN s.finess AS finess, coalesce(s.phone, other.phone) AS phone, coalesce(s.email, other.email) AS email,
       CASE WHEN s.phone IS NULL AND other IS NOT NULL THEN other.name END AS via_site
