"""Writes about concerns: recording a concern and its drafts (``concern``); missing episodes, return home interviews and Philomena profiles (``missing``)."""
