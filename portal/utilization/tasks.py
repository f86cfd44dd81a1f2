"""Thin task interfaces (light work: the ``default`` queue), fired by beat."""

from celery import shared_task


@shared_task(name="utilization.collect")
def collect_task() -> dict:
    """Read machines' use, then flag idle ones and stop those past their grace period."""
    from .collection import collect_use, simulate_load
    from .services import review_idle_machines

    simulated = simulate_load()
    return {"simulated": simulated, "samples": collect_use(), **review_idle_machines()}


@shared_task(name="utilization.follow_schedules")
def follow_schedules_task() -> dict:
    from .services import follow_schedules

    return follow_schedules()
