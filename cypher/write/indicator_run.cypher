// Record one computation of the steering indicators: the run (when, with which staleness threshold, on
// synthetic data or not) and its values per indicator group and territory. Parameters: $run (map: id, at
// (ISO instant), stale_hours), $values (list of maps: indicator, group, level, code, name, score, numerator,
// denominator).
CREATE (r:IndicatorRun {id: $run.id, at: datetime($run.at), stale_hours: $run.stale_hours,
                        synthetic: EXISTS { MATCH (:Offer {synthetic: true}) }})
WITH r
UNWIND $values AS value
CREATE (r)-[:HAS_VALUE]->(v:IndicatorValue)
SET v = value
RETURN count(v) AS values
