"""Routine pages: commendations (see routine/urls.py)."""

urls: list = []
