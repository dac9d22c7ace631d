"""The deviation's domain model: aggregates, value objects, rules and de-identification. No I/O."""
