"""The support case's domain model: aggregates, value objects and rules. No I/O here."""
