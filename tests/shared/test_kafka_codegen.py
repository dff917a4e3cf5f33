"""kafka-python's lazily compiled decoders are compiled one thread at a time (see shared/bus/kafka_client)."""

from __future__ import annotations

import threading
import time
import weakref

from kafka.protocol.consumer.offsets import ListOffsetsResponse
from kafka.protocol.schemas.fields.struct import StructField

from shared.bus.kafka_client import serialised


def test_a_serialised_function_never_runs_in_two_threads_at_once() -> None:
    inside, most = [0], [0]

    def slow() -> None:
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.01)
        inside[0] -= 1

    guarded = serialised(slow)
    threads = [threading.Thread(target=guarded) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


def test_decoders_compiled_in_parallel_build_the_response_class_itself() -> None:
    assert hasattr(StructField.compiled_decode_from, "__wrapped__"), (
        "the suite's Kafka clients serialise the codegen"
    )
    struct = ListOffsetsResponse._struct
    struct._compiled_encoders.clear()
    start = threading.Barrier(8)
    compiled = []

    def compile_one(version: int) -> None:
        start.wait()
        compiled.append(
            struct.compiled_decode_from(version, compact=True, tagged=True, data_class=ListOffsetsResponse)
        )

    threads = [threading.Thread(target=compile_one, args=(6 + n % 5,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    proxies = [f for f in compiled if any(isinstance(v, weakref.ProxyTypes) for v in f.__globals__.values())]
    assert len(compiled) == 8 and proxies == []
