// Create the first synthetic capacity snapshot of each bedded place (latest = true). Values are only set on
// creation: a re-run never overwrites capacities declared since. $rows: [{id, place, installed, available_*,
// forecast_d, forecast_d1, closed_reopenable, extra_beds, updated_at}], $version, $as_of.
UNWIND $rows AS row
MATCH (p:Place {id: row.place})
WITH row, p, NOT EXISTS { (p)-[:HAS_CAPACITY]->(:CapacitySnapshot {latest: true}) } AS first
MERGE (c:CapacitySnapshot {id: row.id})
ON CREATE SET c.loaded_at = datetime(), c.installed = row.installed, c.available_men = row.available_men,
    c.available_women = row.available_women, c.available_undifferentiated = row.available_undifferentiated,
    c.available_total = row.available_total, c.forecast_d = row.forecast_d, c.forecast_d1 = row.forecast_d1,
    c.closed_reopenable = row.closed_reopenable, c.extra_beds = row.extra_beds, c.crisis_type = null,
    c.note = null, c.updated_at = datetime(row.updated_at), c.updated_by = 'générateur', c.synthetic = true,
    c.source = 'generator', c.source_version = $version,
    c.latest = first
MERGE (p)-[:HAS_CAPACITY]->(c)
