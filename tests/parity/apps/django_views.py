"""django_views — guide "CORS in Django" > "Django Views with CORS" (cors-in-python.md lines 890-939)
on its own: the class-based PublicAPIView with its own options() "preflight" handler and no CORS
middleware at all.

This records what the view by itself answers (OPTIONS -> 204 with a JSON body "{}", no CORS
headers). The same view behind django-cors-headers is recorded in django_settings,
django_allow_all and django_env, and behind the guide's custom middleware in django_middleware.
This module is a Django settings module (DJANGO_SETTINGS_MODULE=apps.django_views).
EDIT 1: the section shows no settings; MIDDLEWARE is the guide's CommonMiddleware (line 732) only.
EDIT 2 (harness): SECRET_KEY, DEBUG, ALLOWED_HOSTS, ROOT_URLCONF, USE_TZ added at the end.
"""
INSTALLED_APPS = []

MIDDLEWARE = [
    'django.middleware.common.CommonMiddleware',  # EDIT 1
]

# --- EDIT (harness): what a Django project needs to start, which the guide leaves out ---
SECRET_KEY = "parity-recorder-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "apps._django_public_view"  # the guide's views.py + urls.py (lines 890-939)
USE_TZ = True

