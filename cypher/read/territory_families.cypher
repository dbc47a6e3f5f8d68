// Activity families (J51) with the activities (J17) they group, for territory pictures and coverage forms.
MATCH (f:ActivityFamily)-[:GROUPS]->(a:Activity)
WITH f, a ORDER BY a.code
RETURN f.code AS code, f.label AS label, collect(DISTINCT a.code) AS activities
ORDER BY code
