"""Datasets' side of onboarding's signals: a dataset change's review ended."""

from __future__ import annotations

from django.dispatch import receiver

from portal.onboarding.signals import review_concluded


@receiver(review_concluded, dispatch_uid="datasets.settle_lifecycle_change")
def settle_dataset_change(sender, request, outcome, actor=None, **kwargs) -> None:
    from .services.lifecycle import settle_lifecycle_change

    if request.kind == "dataset_change":
        settle_lifecycle_change(request=request, outcome=outcome, actor=actor)
