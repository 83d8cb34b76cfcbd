"""The nightly device farm: a suite over a pool of devices, merged into one scenario x device matrix.

``pool`` (which devices, validated), ``run`` (pytest-xdist, one worker per
device, a watchdog per device), ``progress`` (the pytest plugin that records
each worker's outcomes and heartbeats), ``matrix`` (the merge, matrix.json),
``junit`` (the merged junit.xml), ``history`` (new failures and fixes against
the previous night), ``html`` (matrix.html) and ``grid`` (a local Selenium
Grid 4 with an Appium relay node). The harness never schedules by itself:
xdist and the Grid do.
"""
