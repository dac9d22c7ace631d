"""The county level (länsnivå) for the BUS secretariat: the regional stream bus.deviations.v1
and the county view's read model (counts and trends by municipality, organisation, category
and period), built from deviations that were sent, never from any other."""
