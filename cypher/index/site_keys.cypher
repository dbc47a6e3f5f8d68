// FINESS numbers of every site, in order: a national index build cuts them into slices projected in parallel.
// Parameters: none.
MATCH (s:Site) WHERE s.finess IS NOT NULL
RETURN s.finess AS id ORDER BY id
