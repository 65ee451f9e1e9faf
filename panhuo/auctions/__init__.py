"""Auctions: lots offered by a disposal project, registration per lot, bids and results.

English (with proxy bids and soft close), sealed and Dutch auctions; the award queue. It sits
above disposal and finance: a result advances the project and the deposits through their own
services.
"""
