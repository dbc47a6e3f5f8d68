// The départements of a région (code, name), for filters. Parameters: $region.
MATCH (d:Department {region_code: $region})
RETURN d.code AS code, d.name AS name ORDER BY code
