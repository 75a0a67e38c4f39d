"""Routine pages: preps (see routine/urls.py)."""

urls: list = []
