"""Bidders: the public's registered parties (persons and companies) who take part in sales.

A bidder registers themself, the task-force office verifies them, and they declare their
relations to officials and units. The app sits just above the floor so that finance's deposit
ledger and disposal's deals can name a registered party instead of typing a name.
"""
