"""django_env — guide "CORS in Django" > "Environment-Based Django CORS" (cors-in-python.md lines
793-828), serving the guide's PublicAPIView (lines 890-939).

This module is a Django settings module (DJANGO_SETTINGS_MODULE=apps.django_env). Recorded once per
ENVIRONMENT value (development, the default; staging; production).
EDIT 1: the section shows only the CORS part of settings.py; INSTALLED_APPS and MIDDLEWARE are
taken from the guide's "Django Settings Configuration" (lines 724-734).
EDIT 2 (harness): SECRET_KEY, DEBUG, ALLOWED_HOSTS, ROOT_URLCONF, USE_TZ added at the end.
"""
# EDIT 1: from the guide's "Django Settings Configuration" section
INSTALLED_APPS = [
    'corsheaders',
]

MIDDLEWARE = [
    'corsheaders.middleware.CorsMiddleware',
    'django.middleware.common.CommonMiddleware',
]

# settings.py
import os
from typing import List

ENVIRONMENT = os.getenv('ENVIRONMENT', 'development')

def get_cors_allowed_origins() -> List[str]:
    """Get CORS allowed origins based on environment"""
    if ENVIRONMENT == 'production':
        return [
            'https://myapp.com',
            'https://www.myapp.com',
            'https://app.myapp.com',
        ]
    elif ENVIRONMENT == 'staging':
        return [
            'https://staging.myapp.com',
            'https://dev.myapp.com',
        ]
    else:  # development
        return [
            'http://localhost:3000',
            'http://localhost:8080',
            'http://127.0.0.1:3000',
            'http://127.0.0.1:8080',
        ]

# Apply configuration
if ENVIRONMENT == 'development':
    CORS_ALLOW_ALL_ORIGINS = True
else:
    CORS_ALLOWED_ORIGINS = get_cors_allowed_origins()

CORS_ALLOW_CREDENTIALS = True

# --- EDIT (harness): what a Django project needs to start, which the guide leaves out ---
SECRET_KEY = "parity-recorder-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "apps._django_public_view"  # the guide's views.py + urls.py (lines 890-939)
USE_TZ = True

