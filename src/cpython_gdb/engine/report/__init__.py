"""The report: entries made from records and C stacks (document.py), and their text (text.py)."""
