"""The console's type: its settings and the bus it reads as the operator (built by bootstrap.py only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.console.config import ConsoleSettings
from shared.bus import Bus
from shared.bus.factory import bus_of


@dataclass
class Console:
    """What the console's pages need: the services' addresses and, connected on first use, the bus."""

    config: ConsoleSettings
    _bus: Bus | None = field(default=None, repr=False)

    @property
    def bus(self) -> Bus:
        """Return the bus, connecting on first use."""
        if self._bus is None:
            self._bus = bus_of(self.config.common)
        return self._bus

    def bus_ready(self) -> bool:
        """Return whether the bus answers."""
        return self.bus.ping()

    def close(self) -> None:
        """Let the bus go."""
        if self._bus is not None:
            self._bus.close()
            self._bus = None
