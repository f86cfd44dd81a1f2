#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    from portal.private_files import keep_files_private

    keep_files_private()  # before anything is written: the database, state, logs are the portal's alone
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
