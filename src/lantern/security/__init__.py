"""Accounts, roles, sessions, CSRF, TOTP, API tokens, the tamper-evident audit log and retention.

PRINCIPLES.md §6 (accountable use) and §4 (data not attached to a case expires). Everything here is
plain functions over an SQLAlchemy engine so the CLI, the web app and tests share one implementation;
``web.py`` adapts it to FastAPI. The model is described in docs/security.md.
"""
