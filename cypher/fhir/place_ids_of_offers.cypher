// Ids of the places of the offers $ids (list of Offer.id): the Locations to re-index after a write on an offer.
UNWIND $ids AS wanted
MATCH (:Offer {id: wanted})-[:AT]->(p:Place)
RETURN DISTINCT p.id AS id
