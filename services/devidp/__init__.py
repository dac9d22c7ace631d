"""A small OpenID Connect provider for development and the tests (never for production)."""
