"""Everything the portal writes is private to the user it runs as: files 0600, directories 0700.

The SQLite database, Terraform state (sensitive outputs in clear) and plan files, run logs, the
file broker's messages, scaffold caches and bare git repos all live under ``PORTAL_DATA_DIR``.
Rather than chmod each of them, every entry point (manage.py, wsgi, asgi, the Celery app) sets a
process umask of 077 before anything is written; Terraform, git and copier inherit it. (Django's
start loads the Celery app — ``portal.core``'s ``ready`` — so any process running portal code has it.) ``DATA_DIR``
itself is made 0700 by the settings. Terraform's ``.terraform.lock.hcl`` is the one file that stays
0644: Terraform chmods it itself; it holds provider checksums, inside those 0700 directories.
"""

from __future__ import annotations

import os

PRIVATE_UMASK = 0o077


def keep_files_private() -> None:
    os.umask(PRIVATE_UMASK)
