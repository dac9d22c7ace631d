"""The special educator's documentation of special-educational interventions (seed §6, §8)."""
