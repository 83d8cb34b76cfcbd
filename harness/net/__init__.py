"""Network conditions for the lab: values, profiles, the link, the HTTP layer, schedules, the ledger.

Importing the package registers every condition (including ``profile``).
"""

from harness.net import conditions, profiles  # noqa: F401  (registers the conditions)
from harness.net.conditions import Condition, HttpCondition, LinkCondition, make_condition
from harness.net.profiles import PROFILES, Profile, get_profile

__all__ = ["Condition", "HttpCondition", "LinkCondition", "PROFILES", "Profile", "get_profile", "make_condition"]
