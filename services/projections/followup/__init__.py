"""Rektor's follow-up view (uppföljningsvy): open cases per school unit, days waiting, overdue."""
