"""What onboarding announces to apps above it (they must not be imported from here)."""

from django.dispatch import Signal

# The review of a request that another app settles (kind ``dataset_change``) ended, inside its transaction:
# ``request``, ``outcome`` ("approved", "rejected", "changes_requested"), ``actor``.
review_concluded = Signal()
