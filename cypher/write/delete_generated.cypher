// Delete every synthetic node written by the generator (before regenerating with another seed or version).
// Auto-commit query (CALL … IN TRANSACTIONS). No parameters.
MATCH (n) WHERE n.source = 'generator' AND n.synthetic = true
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
