// Sites that publish tariffs in the demo (EHPAD: FINESS categories $categories) with the fingerprint of the
// synthetic tariffs they hold (null when none). Parameters: $categories (list of TRE_R66 codes).
MATCH (s:Site) WHERE s.category_code IN $categories
RETURN s.finess AS finess, s.tariffs_hash AS tariffs_hash
ORDER BY s.finess
