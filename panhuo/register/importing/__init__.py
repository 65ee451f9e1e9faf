"""Bulk import of registers kept in spreadsheets and exported from other systems.

readers: bytes → a table of text cells (CSV in any delimiter/encoding, XLSX sheets);
values: text cell → typed value (dates, amounts in 元/万元/亿元, coordinates);
the importer applies a column mapping, validates every row and commits all or nothing.
"""
