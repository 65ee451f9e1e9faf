"""XLSX answers for the money reports: the list component's (CSV goes through
``core.ui.csv_response``)."""

from panhuo.core.lists import XLSX_TYPE, xlsx_response

__all__ = ["XLSX_TYPE", "xlsx_response"]
