"""The lab: process supervision and the :class:`Lab` that owns the chain of processes."""

from harness.lab.hooks import BackendHooks
from harness.lab.lab import Endpoints, Lab, LabConfig

__all__ = ["BackendHooks", "Endpoints", "Lab", "LabConfig"]
