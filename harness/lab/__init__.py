"""The lab: process supervision and the :class:`Lab` that owns the chain of processes."""

from harness.lab.backend import AdminClient
from harness.lab.lab import Endpoints, Lab, LabConfig

__all__ = ["AdminClient", "Endpoints", "Lab", "LabConfig"]
