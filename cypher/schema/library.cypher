// Indexes used by the pathway library (cypher/library). Repeatable (IF NOT EXISTS). No parameters.
// Library queries start from concepts by code (activity, act, care mode), communes by département and
// contact functions on WORKS_IN.
CREATE INDEX library_activity_code IF NOT EXISTS FOR (n:Activity) ON (n.code);
CREATE INDEX library_act_code IF NOT EXISTS FOR (n:Act) ON (n.code);
CREATE INDEX library_care_mode_code IF NOT EXISTS FOR (n:CareMode) ON (n.code);
CREATE INDEX library_commune_department IF NOT EXISTS FOR (n:Commune) ON (n.department_code);
CREATE INDEX library_works_in_function IF NOT EXISTS FOR ()-[r:WORKS_IN]-() ON (r.function);
CREATE INDEX library_next_step_pathway IF NOT EXISTS FOR ()-[r:NEXT_STEP]-() ON (r.pathway);
