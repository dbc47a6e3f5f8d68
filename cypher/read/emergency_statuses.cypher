// The hourly series of some sites' emergency statuses (those that have one). Parameters: $finesses.
UNWIND $finesses AS f
MATCH (st:EmergencyStatus {finess: f})
RETURN st.finess AS finess, st {.hours, .hour_seen, .s_present, .s_waiting_to_be_seen, .s_over_4h, .s_boarding,
                                .s_arrivals_last_hour} AS series
