// Synthetic load-test places for bench/bench_capacity.py (after tests/fixtures/access/territory.cypher):
// one site, offer and bedded place per row, near a fixture commune. Parameters: $rows
// [{finess, insee, lat, lon, n, beds}].
UNWIND $rows AS row
MATCH (c:Commune {insee: row.insee}), (ger:Activity {code: '047'}), (hc:CareMode {code: '28'})
CREATE (s:Site {finess: row.finess, name: 'Site de charge ' + row.n + ' (synthétique)', department_code: c.department_code,
                location: point({latitude: row.lat, longitude: row.lon}), synthetic: true})-[:IN]->(c)
CREATE (s)-[:OFFERS]->(o:Offer {id: 'bench-offer-' + row.n, name: 'Gériatrie de charge ' + row.n, status: 'published',
                                 synthetic: true})
CREATE (o)-[:PROVIDES]->(ger), (o)-[:MODE]->(hc)
CREATE (o)-[:AT]->(:Place {id: 'bench-place-' + row.n, name: 'Gériatrie de charge ' + row.n, installed_beds: row.beds,
                           location: point({latitude: row.lat, longitude: row.lon}), synthetic: true})
