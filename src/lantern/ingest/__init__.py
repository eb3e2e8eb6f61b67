"""Ingest: validate, preserve, extract and store records; quarantine what cannot be read."""
