"""Lantern: find and identify victims of trafficking in online ads and posts."""

__version__ = "0.1.0"
