"""The ledger: complaints and praise, transfer and supervision tickets, and their rules."""
