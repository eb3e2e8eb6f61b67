"""Readers that turn files, folders and stdin into raw items, one per record, with their origin."""
