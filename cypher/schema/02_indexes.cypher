// Secondary indexes used by loaders (lookups) and readers (filters, geo). Repeatable. No parameters.
CREATE INDEX concept_value_set_code IF NOT EXISTS FOR (n:Concept) ON (n.value_set, n.code);
CREATE INDEX concept_system_url_code IF NOT EXISTS FOR (n:Concept) ON (n.system_url, n.code);
CREATE INDEX site_category IF NOT EXISTS FOR (n:Site) ON (n.category_code);
CREATE INDEX site_department IF NOT EXISTS FOR (n:Site) ON (n.department_code);
CREATE POINT INDEX site_location IF NOT EXISTS FOR (n:Site) ON (n.location);
CREATE POINT INDEX place_location IF NOT EXISTS FOR (n:Place) ON (n.location);
CREATE POINT INDEX commune_location IF NOT EXISTS FOR (n:Commune) ON (n.location);
CREATE INDEX offer_status IF NOT EXISTS FOR (n:Offer) ON (n.status);
CREATE INDEX capacity_latest IF NOT EXISTS FOR (n:CapacitySnapshot) ON (n.latest);
CREATE INDEX tension_open IF NOT EXISTS FOR (n:TensionAlert) ON (n.open);
CREATE INDEX any_synthetic_offer IF NOT EXISTS FOR (n:Offer) ON (n.synthetic);
