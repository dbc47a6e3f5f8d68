// The régions and their départements, for the steering indicators (issue 14): every région holding a
// département, with the départements' codes and names. No parameters.
MATCH (d:Department)
WITH d.region_code AS region, collect({code: d.code, name: d.name}) AS departments
WHERE region IS NOT NULL
OPTIONAL MATCH (r:Region {code: region})
RETURN region AS code, coalesce(r.name, region) AS name, departments ORDER BY code
