"""Securities of debts: guarantees, collateral and pledges resting on register assets, which keep
an asset out of a sale until the creditor releases it. ``models``, ``services`` (writes and the
reads other stages ask for), ``views`` and ``api``."""
