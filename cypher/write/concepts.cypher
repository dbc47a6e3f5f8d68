// Upsert NOS concepts (one ROR value set code each) with their kind label from an allow-list.
// $rows: [{key, value_set, kind, system, system_url, oid, code, label, short_label, retired_on}], $version.
UNWIND $rows AS row
MERGE (c:Concept {key: row.key})
ON CREATE SET c.loaded_at = datetime()
SET c.value_set = row.value_set, c.system = row.system, c.system_url = row.system_url, c.oid = row.oid,
    c.code = row.code, c.label = row.label, c.short_label = row.short_label,
    c.retired_on = CASE WHEN row.retired_on IS NULL THEN null ELSE date(row.retired_on) END,
    c.nos_version = $version, c.source = 'nos', c.source_version = $version, c.synthetic = false
FOREACH (_ IN CASE WHEN row.kind = 'Activity' THEN [1] ELSE [] END | SET c:Activity)
FOREACH (_ IN CASE WHEN row.kind = 'Act' THEN [1] ELSE [] END | SET c:Act)
FOREACH (_ IN CASE WHEN row.kind = 'EquipmentType' THEN [1] ELSE [] END | SET c:EquipmentType)
FOREACH (_ IN CASE WHEN row.kind = 'CareMode' THEN [1] ELSE [] END | SET c:CareMode)
FOREACH (_ IN CASE WHEN row.kind = 'AgeGroup' THEN [1] ELSE [] END | SET c:AgeGroup)
FOREACH (_ IN CASE WHEN row.kind = 'Public' THEN [1] ELSE [] END | SET c:Public)
FOREACH (_ IN CASE WHEN row.kind = 'Field' THEN [1] ELSE [] END | SET c:Field)
FOREACH (_ IN CASE WHEN row.kind = 'ContactFunction' THEN [1] ELSE [] END | SET c:ContactFunction)
FOREACH (_ IN CASE WHEN row.kind = 'ContactNature' THEN [1] ELSE [] END | SET c:ContactNature)
FOREACH (_ IN CASE WHEN row.kind = 'Specialty' THEN [1] ELSE [] END | SET c:Specialty)
FOREACH (_ IN CASE WHEN row.kind = 'Profession' THEN [1] ELSE [] END | SET c:Profession)
FOREACH (_ IN CASE WHEN row.kind = 'ActivityFamily' THEN [1] ELSE [] END | SET c:ActivityFamily)
FOREACH (_ IN CASE WHEN row.kind = 'SiteCategory' THEN [1] ELSE [] END | SET c:SiteCategory)
FOREACH (_ IN CASE WHEN row.kind = 'ReceptionMode' THEN [1] ELSE [] END | SET c:ReceptionMode)
FOREACH (_ IN CASE WHEN row.kind = 'ReceptionTemporality' THEN [1] ELSE [] END | SET c:ReceptionTemporality)
