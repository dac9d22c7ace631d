"""A development mail server (SMTP in, an HTTP inbox out) for `make run` and the tests only."""
