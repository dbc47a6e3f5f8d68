// Codes and labels of activities (J17) and fields (J20): how a territory picture names its counts.
MATCH (c:Concept)
WHERE c:Activity OR c:Field
RETURN CASE WHEN c:Activity THEN 'activity' ELSE 'field' END AS kind, c.code AS code, c.label AS label
ORDER BY kind, code
