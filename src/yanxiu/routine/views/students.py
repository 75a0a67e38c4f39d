"""Routine pages: students (see routine/urls.py)."""

urls: list = []
