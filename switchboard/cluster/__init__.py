"""State shared between engines: Redis clients, the acting engine's lease, the outage record
every Redis user reports to, and the manual statuses agents set on either engine."""
