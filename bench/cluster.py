"""A local three-node Kafka cluster for benches and tests, through ``deploy/kafka.sh cluster``."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class LocalCluster:
    """Three KRaft nodes on 127.0.0.1 from the project's deploy script, in a directory of the test's own."""

    def __init__(self, base_port: int, home: Path):
        self.base_port = base_port
        self.env = {**os.environ, "KAFKA_CLUSTER_PORT": str(base_port), "KAFKA_CLUSTER_HOME": str(home)}

    @property
    def bootstrap(self) -> str:
        """Return the bootstrap servers of the three nodes."""
        return ",".join(f"127.0.0.1:{self.base_port + 2 * n}" for n in range(3))

    def start(self) -> None:
        """Start the three nodes and wait until each answers."""
        self._run("start")

    def stop(self) -> None:
        """Stop every node cleanly."""
        self._run("stop")

    def kill(self, node: int) -> None:
        """Kill one node with SIGKILL."""
        self._run("kill", str(node))

    def start_node(self, node: int) -> None:
        """Start one node again and wait until it answers."""
        self._run("start-node", str(node))

    def _run(self, *args: str) -> None:
        subprocess.run(
            ["bash", str(ROOT / "deploy" / "kafka.sh"), "cluster", *args],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=240,
        )
