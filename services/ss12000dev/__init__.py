"""The development SS 12000 server: the municipality's school register for `make run` and the tests."""
