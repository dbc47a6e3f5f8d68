// Steering indicators (issue 14, FHIR Measure / MeasureReport): one run per computation, with its values.
// Repeatable (IF NOT EXISTS). No parameters.
CREATE CONSTRAINT indicator_run_id IF NOT EXISTS FOR (n:IndicatorRun) REQUIRE n.id IS UNIQUE;
CREATE INDEX indicator_run_at IF NOT EXISTS FOR (n:IndicatorRun) ON (n.at);
