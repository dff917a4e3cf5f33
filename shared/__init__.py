"""Common building blocks of the thi đua suite: envelope, event store, relay, bus, consumers, auth, web."""
