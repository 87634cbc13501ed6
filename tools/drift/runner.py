"""Running one check over several layers in parallel, so that one broken layer (missing state,
corrupt JSON, unreachable endpoint, a bug) becomes that layer's error and never hides the others."""
from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable

from tools.drift.findings import LayerResult

LAYER_TIMEOUT_SECONDS = 300


def run_layers(layers: list[str], mode: str, check: Callable[[str], LayerResult], jobs: int = 4,
               layer_timeout: float = LAYER_TIMEOUT_SECONDS) -> list[LayerResult]:
    def guarded(layer: str) -> LayerResult:
        start = time.perf_counter()
        try:
            result = check(layer)
        except Exception as error:  # noqa: BLE001 - a layer's failure is reported, never raised
            message = str(error) or type(error).__name__
            result = LayerResult(layer, mode, error=message)
        return LayerResult(result.layer, result.mode, result.source, result.findings, result.error,
                           result.notes, time.perf_counter() - start)

    results: dict[str, LayerResult] = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(jobs, len(layers) or 1)))
    try:
        futures = {pool.submit(guarded, layer): layer for layer in layers}
        deadline = time.monotonic() + layer_timeout
        for future, layer in futures.items():
            try:
                results[layer] = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except concurrent.futures.TimeoutError:
                results[layer] = LayerResult(layer, mode, error=f"timed out after {layer_timeout:.0f} s")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return [results[layer] for layer in layers]
