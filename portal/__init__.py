"""The portal. Its Celery app (portal/celery.py) is loaded when Django starts (``portal.core``'s
``ready``) and by ``celery -A portal``, not on import of this package: ``portal.cli``, the command-line
client, runs on laptops and imports nothing of the server (no Django, no Celery)."""


def __getattr__(name: str):
    if name == "celery_app":  # as Celery's Django guide names it
        from .celery import app

        return app
    raise AttributeError(f"module 'portal' has no attribute {name!r}")
