"""The negotiation engine: a scenario compiled to arrays, and the mesa model that plays it."""
