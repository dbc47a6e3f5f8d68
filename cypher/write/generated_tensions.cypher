// Create synthetic open tension alerts on sites (values only set on creation).
// $rows: [{id, site, level, cause, actions, started_at}], $version, $as_of.
UNWIND $rows AS row
MATCH (s:Site {finess: row.site})
MERGE (t:TensionAlert {id: row.id})
ON CREATE SET t.loaded_at = datetime(), t.level = row.level, t.cause = row.cause, t.actions = row.actions,
    t.started_at = datetime(row.started_at), t.ended_at = null, t.open = true, t.synthetic = true,
    t.source = 'generator', t.source_version = $version
MERGE (s)-[:HAS_TENSION]->(t)
