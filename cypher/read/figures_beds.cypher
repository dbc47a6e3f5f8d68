// National figures (loaders/offer_stats.py): the installed beds or places of each place of a published offer, with
// the care modes (J19), fields (J20), publics (J29) and the intensive-care activity (J17|127) of its offers.
MATCH (o:Offer)-[:AT]->(p:Place)
WHERE o.status = 'published' AND p.installed_beds > 0
OPTIONAL MATCH (o)-[]->(c:Concept)
WHERE c.value_set IN ['J19', 'J20', 'J29'] OR c.key = 'J17|127'
RETURN p.id AS place, p.installed_beds AS beds, collect(DISTINCT c.key) AS keys
