"""Run a lab in a child process for the signal tests: prints its endpoints as one JSON line, then waits."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from harness.lab import Lab, LabConfig

if __name__ == "__main__":
    run_dir, backend = Path(sys.argv[1]), sys.argv[2]
    with Lab(LabConfig(run_dir=run_dir, backend=backend)) as lab:
        from harness.net.conditions import Latency

        lab.net.apply(Latency(latency_ms=50))
        print(json.dumps(lab.endpoints.to_json()), flush=True)
        while True:
            time.sleep(0.1)
