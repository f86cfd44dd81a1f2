"""How provisioning tells the portal what happened to runs: the worker reports, the portal decides.

- ``run_changed(run, old, new, actor)``: a run's status changed (``old`` None: it was queued). Sent
  inside the transaction of the change, so a receiver's audit row commits with it.
- ``run_ended(run)``: a run ended for good (no retry follows) and nobody has acted on it yet. Sent
  after the end is committed — by the worker, by the reaper for runs whose worker died, and again by
  the reaper for ended runs never settled. Receivers settle what follows exactly once
  (``services.claim_settlement``).
"""

from django.dispatch import Signal

run_changed = Signal()
run_ended = Signal()
