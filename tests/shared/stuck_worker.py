"""A worker whose one loop holds a lease and never heeds the stop signal (``python -m``, for tests).

python -m tests.shared.stuck_worker DATABASE_URL GRACE_SECONDS
"""

from __future__ import annotations

import sys
import threading
import time

import sqlalchemy as sa

from shared.db import create_engine
from shared.leases import Lease, LeasedLoop, LeaseTiming, lease_table
from shared.process import Worker, run_worker


def stuck(_stop: threading.Event) -> None:
    """Work without ever looking at the stop signal (a publish blocked on a dead broker, say)."""
    print("holding the lease", flush=True)
    time.sleep(3600)


def main(database_url: str, grace: float) -> None:
    """Run the stuck worker until its grace runs out."""
    metadata = sa.MetaData()
    table = lease_table(metadata)
    engine = create_engine(database_url)
    metadata.create_all(engine)
    lease = Lease(engine, table, "stuck-loop", LeaseTiming.for_failover(60))
    run_worker(Worker("stuck", {"stuck": LeasedLoop(lease, stuck)}, dict), grace)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
