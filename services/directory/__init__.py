"""The directory service (ADR 0026): the municipality's people from the SS 12000 register."""
