// Sites written after a watermark (FINESS reload, human edit). Parameters: $since (datetime).
MATCH (s:Site) WHERE coalesce(s.updated_at, s.loaded_at) > $since
RETURN s.finess AS finess
