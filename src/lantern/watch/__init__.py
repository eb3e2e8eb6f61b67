"""Watchlists matched at ingest, the alert inbox, and delivery by e-mail or webhook (docs/alerts.md)."""
