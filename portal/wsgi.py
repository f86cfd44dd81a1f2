import os

from django.core.wsgi import get_wsgi_application

from portal.private_files import keep_files_private

keep_files_private()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
application = get_wsgi_application()
