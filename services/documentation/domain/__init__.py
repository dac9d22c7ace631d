"""The documentation's domain model: the intervention, its values and rules. No I/O."""
