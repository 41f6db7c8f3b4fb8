"""The lessons layer: each lesson's network, task, success criterion, read-out, measures and
lecture cards, as plain data and pure functions (registry.py lists them). Imports engine only.
"""
