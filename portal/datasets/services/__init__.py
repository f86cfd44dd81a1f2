"""Every write to datasets, with its audit row in the same transaction.

- registration: registering a dataset
- access: a team asking for access (the request and its grant)
- access_reviews: access reviews by the data owner (keep or revoke each grant)
- lifecycle: the data owner's reviewed change of a dataset's classification or retention
"""

from .access import request_access
from .access_reviews import decide_entry, open_due_reviews, open_review, remind_reviews
from .lifecycle import request_lifecycle_change
from .registration import MAX_RETENTION_DAYS, clean_prefix, register_dataset

__all__ = ["MAX_RETENTION_DAYS", "clean_prefix", "decide_entry", "open_due_reviews", "open_review",
           "register_dataset", "remind_reviews", "request_access", "request_lifecycle_change"]
