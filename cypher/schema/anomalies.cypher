// Anomaly reports (the ROR's « signalement d'anomalie », FHIR Task): one node per report, found by its id, by
// the FHIR id of the resource it is about, by the régions and sites it concerns. Repeatable (IF NOT EXISTS).
// No parameters.
CREATE CONSTRAINT anomaly_id IF NOT EXISTS FOR (n:Anomaly) REQUIRE n.id IS UNIQUE;
CREATE INDEX anomaly_focus IF NOT EXISTS FOR (n:Anomaly) ON (n.focus_type, n.focus_id);
CREATE INDEX anomaly_updated IF NOT EXISTS FOR (n:Anomaly) ON (n.updated_at);
