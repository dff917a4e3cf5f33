"""Common building blocks of the thi đua suite: envelope, event store, outbox relay, bus, consumers, auth, web."""
