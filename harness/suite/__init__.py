"""The covering suite: the dimensions of the situations an app is tried in, and a suite that covers them.

- :mod:`harness.suite.dimensions` reads the dimensions (``harness/spec/dimensions.yaml``, plus an app's
  ``dimensions.yaml`` beside its profile) and resolves them for one app: the values it can run, the
  values left out (with the reason), the constraints.
- :mod:`harness.suite.generate` picks the fewest combinations that cover every pair (or triple) of
  values (a covering array from ``covertable``) and writes each as an ordinary scenario file.
- :mod:`harness.suite.coverage` says which tuples a set of scenarios covers, and per requirement which
  pairs were exercised and judged (``harness coverage --suite covering``, the HTML report).
"""

from __future__ import annotations

__all__: list[str] = []
