"""Normalisation of the register's fields: ID numbers, names, dates, phones, addresses, codes."""
