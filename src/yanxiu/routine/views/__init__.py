"""Routine pages, one module per area; each module lists its URL patterns in ``urls``."""
