"""Routine pages: scores (see routine/urls.py)."""

urls: list = []
