"""The reference target: a local server that behaves as the Azure documentation says (and can be told not to)."""
