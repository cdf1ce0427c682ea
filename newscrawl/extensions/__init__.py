"""Run-level extensions."""
