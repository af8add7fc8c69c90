"""`respcheck run`: the conformance suites against a replayed profile, the reference server or a live deployment."""
