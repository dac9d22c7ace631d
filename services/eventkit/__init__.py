"""The small platform every Stödspår service stands on: configuration, identity,
the event store setup, the outbox relay to Kafka, contracts and telemetry.

It knows nothing of any service's domain; services import it, never each other.
"""
