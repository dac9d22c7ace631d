"""Rektor's quality view (kvalitetsvy): a faust projection of the competence and documentation
topics into stodspar_quality, and its read API."""
