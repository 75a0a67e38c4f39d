"""Routine pages: competitions (see routine/urls.py)."""

urls: list = []
