"""The tools a user would pick instead of this engine, each configured as its own
documentation recommends: the Python Record Linkage Toolkit and Splink (DuckDB)."""
