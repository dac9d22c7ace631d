"""Loggkontroll (R15): the access log of every service, projected for the municipality administrator."""
