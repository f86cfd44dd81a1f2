"""A team's membership changed: its directory groups follow, once the change is committed."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Membership


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="teams.membership_changed")
def membership_changed(sender, instance, **kwargs):
    from portal.inventory.tasks import sync_team_groups_task  # a task fired on commit: the allowed upward call

    team_pk = instance.team_id
    # robust: a broker hiccup must not break the membership edit; the periodic reconcile catches up.
    transaction.on_commit(lambda: sync_team_groups_task.delay(team_pk), robust=True)
