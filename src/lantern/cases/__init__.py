"""Cases: records and networks under investigation, notes, assignment, status and feedback (docs/cases.md)."""
