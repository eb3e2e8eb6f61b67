"""Routers, one module per page; ``api`` serves the same data as JSON."""
