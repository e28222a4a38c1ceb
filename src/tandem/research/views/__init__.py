"""Research pages: studies (aggregates only) and research consent on the client record."""
