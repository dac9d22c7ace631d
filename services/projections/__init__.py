"""Projections: faust-streaming consumers that build read models from the public event topics."""
