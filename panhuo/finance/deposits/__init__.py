"""Bidders' deposits (保证金): their own ledger beside the proceeds, with one state machine
(held, refunded, forfeited, applied to the winner's price). ``models``, ``services`` (every
write), ``selectors`` (reads scoped to the caller), ``views`` and ``api``."""
