// Names of sites by FINESS (the nearest sites listed by a coverage-gap result).
// Parameters: $finess (list of Site.finess).
UNWIND $finess AS code
MATCH (s:Site {finess: code})
RETURN s.finess AS finess, s.name AS name
