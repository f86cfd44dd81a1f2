"""The one door for every status field of the portal's models.

Each model keeps a ``TRANSITIONS`` map beside its status choices. ``transition`` moves one object
from the status it was read with to ``to`` if the map allows it, by a conditional update, so of two
callers racing for the same move exactly one wins; the winner's audit row is written in the same
transaction. (Runs have their own door in ``provisioning.services``, which tells the portal through
a signal instead of writing the portal's audit.)
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from portal.audit.services import record_event

from .errors import ApplicationError, Conflict


def transition(obj, to: str, *, transitions: Mapping[str, set[str]], actor, verb: str, target=None,
               data: dict | None = None, field: str = "status", strict: bool = True, **fields) -> bool:
    """Move ``obj.<field>`` to ``to``; audit ``verb`` on ``target`` (default ``obj``).

    ``strict``: a move the map forbids or a lost race raises (ApplicationError / Conflict); otherwise it
    returns False and changes nothing. Extra ``fields`` are written in the same update.
    """
    old = getattr(obj, field)
    if to not in transitions.get(old, set()):
        if not strict:
            return False
        label = getattr(obj, f"get_{field}_display", lambda: old)()
        raise ApplicationError(f"A {obj._meta.verbose_name} that is {str(label).lower()} cannot become {to}.")
    model = type(obj)
    updates = {field: to, **fields}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        updates["updated_at"] = timezone.now()
    if model.objects.filter(pk=obj.pk, **{field: old}).update(**updates) != 1:
        if not strict:
            return False
        raise Conflict(f"The {obj._meta.verbose_name} changed meanwhile; reload the page.")
    for name, value in updates.items():
        setattr(obj, name, value)
    record_event(actor=actor, verb=verb, target=target if target is not None else obj,
                 data={"from": old, **(data or {})})
    return True
