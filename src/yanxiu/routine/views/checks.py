"""Routine pages: checks (see routine/urls.py)."""

urls: list = []
