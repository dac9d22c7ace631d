"""The competence domain: no I/O."""
