"""Scripts that turn published third-party data into the compact tables the generator and engine ship.

Each script names the input it needs in its docstring; the fetched input itself is not committed.
"""
