"""Finance's reports for superiors: overdue receipts across projects and the reconciliation of
money in, allocated, reversed and repaid per period. ``selectors`` (the figures, read only),
``forms``, ``schemas``, ``views`` (pages and exports) and ``api``."""
