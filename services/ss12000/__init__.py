"""Reading the municipality's school register through SS 12000 (the SIS standard for school
data exchange): typed models of what Stödspår needs and an async client. A package, not a
service: the directory service (ADR 0026) runs the sync and owns the tables."""
