"""django_allow_all — guide "CORS in Django" > "Django Settings Configuration" exactly as written
(cors-in-python.md lines 722-789): options 1, 2 and 3 are all set, so CORS_ALLOW_ALL_ORIGINS = True
wins, together with CORS_ALLOW_CREDENTIALS = True. Serves the guide's PublicAPIView (lines 890-939).

This module is a Django settings module (DJANGO_SETTINGS_MODULE=apps.django_allow_all).
EDIT 1: the "# ... other apps / middleware" placeholders are left empty.
EDIT 2 (harness): SECRET_KEY, DEBUG, ALLOWED_HOSTS, ROOT_URLCONF, USE_TZ added at the end.
"""
# settings.py
INSTALLED_APPS = [
    # ... other apps
    'corsheaders',
    # ... your apps
]

MIDDLEWARE = [
    'corsheaders.middleware.CorsMiddleware',  # Should be as high as possible
    'django.middleware.common.CommonMiddleware',
    # ... other middleware
]

# CORS Configuration

# Option 1: Allow all origins (DEVELOPMENT ONLY)
CORS_ALLOW_ALL_ORIGINS = True

# Option 2: Specific origins (PRODUCTION)
CORS_ALLOWED_ORIGINS = [
    "http://localhost:3000",
    "http://localhost:8080",
    "https://myapp.com",
    "https://www.myapp.com",
]

# Option 3: Origin regex patterns
CORS_ALLOWED_ORIGIN_REGEXES = [
    r"^https://.*\.myapp\.com$",
    r"^http://localhost:\d+$",
]

# Allow credentials (cookies, authorization headers)
CORS_ALLOW_CREDENTIALS = True

# Allowed HTTP methods
CORS_ALLOW_METHODS = [
    'DELETE',
    'GET',
    'OPTIONS',
    'PATCH',
    'POST',
    'PUT',
]

# Allowed HTTP headers
CORS_ALLOW_HEADERS = [
    'accept',
    'accept-encoding',
    'authorization',
    'content-type',
    'dnt',
    'origin',
    'user-agent',
    'x-csrftoken',
    'x-requested-with',
]

# Headers exposed to the browser
CORS_EXPOSE_HEADERS = [
    'content-length',
    'x-request-id',
]

# Preflight cache duration (seconds)
CORS_PREFLIGHT_MAX_AGE = 600

# --- EDIT (harness): what a Django project needs to start, which the guide leaves out ---
SECRET_KEY = "parity-recorder-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "apps._django_public_view"  # the guide's views.py + urls.py (lines 890-939)
USE_TZ = True

