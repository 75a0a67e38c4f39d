"""Routine pages: quality (see routine/urls.py)."""

urls: list = []
