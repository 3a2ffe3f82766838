"""Planning: exact queueing formulas (erlang), staffing requirements (staffing) and shift schedules (scheduling)."""
