"""Synthetic demo data, clearly marked as such (`manage.py seed_demo`)."""
