"""django_middleware — guide "CORS in Django" > "Custom CORS Middleware" (cors-in-python.md lines
832-886), serving the guide's PublicAPIView (lines 890-939). No django-cors-headers involved.

This module is both the middleware module and the Django settings module
(DJANGO_SETTINGS_MODULE=apps.django_middleware).
EDIT 1: middleware/cors_middleware.py and settings.py are concatenated; the MIDDLEWARE entry
'middleware.cors_middleware.CustomCorsMiddleware' becomes 'apps.django_middleware.CustomCorsMiddleware'
(the class is defined in this module).
EDIT 2: the "# ... other middleware" placeholder is filled with the CommonMiddleware of the guide's
"Django Settings Configuration" (line 732).
EDIT 3 (harness): SECRET_KEY, DEBUG, ALLOWED_HOSTS, ROOT_URLCONF, USE_TZ added at the end.
"""
# middleware/cors_middleware.py
import re
from django.utils.deprecation import MiddlewareMixin
import logging

logger = logging.getLogger(__name__)

class CustomCorsMiddleware(MiddlewareMixin):
    """
    Custom CORS middleware with logging and dynamic origin validation
    """
    
    ALLOWED_ORIGIN_PATTERNS = [
        r'^https://.*\.myapp\.com$',
        r'^http://localhost:\d+$',
    ]
    
    def is_origin_allowed(self, origin):
        """Check if origin matches allowed patterns"""
        for pattern in self.ALLOWED_ORIGIN_PATTERNS:
            if re.match(pattern, origin):
                return True
        return False
    
    def process_request(self, request):
        """Log incoming CORS requests"""
        origin = request.META.get('HTTP_ORIGIN')
        if origin:
            logger.info(f"CORS request from: {origin}")
            logger.info(f"Method: {request.method}")
            logger.info(f"Path: {request.path}")
        return None
    
    def process_response(self, request, response):
        """Add CORS headers to response"""
        origin = request.META.get('HTTP_ORIGIN')
        
        if origin and self.is_origin_allowed(origin):
            response['Access-Control-Allow-Origin'] = origin
            response['Access-Control-Allow-Credentials'] = 'true'
            response['Access-Control-Allow-Methods'] = 'GET, POST, PUT, DELETE, OPTIONS'
            response['Access-Control-Allow-Headers'] = 'Content-Type, Authorization'
            response['Access-Control-Max-Age'] = '600'
            
            logger.info(f"CORS headers added for origin: {origin}")
        
        return response

# settings.py
MIDDLEWARE = [
    'apps.django_middleware.CustomCorsMiddleware',  # EDIT 1: was 'middleware.cors_middleware.CustomCorsMiddleware'
    # ... other middleware
    'django.middleware.common.CommonMiddleware',  # EDIT 2
]

# --- EDIT (harness): what a Django project needs to start, which the guide leaves out ---
SECRET_KEY = "parity-recorder-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "apps._django_public_view"  # the guide's views.py + urls.py (lines 890-939)
USE_TZ = True

