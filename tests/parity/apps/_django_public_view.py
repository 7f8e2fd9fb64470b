"""The guide's Django views.py and urls.py — "CORS in Django" > "Django Views with CORS"
(cors-in-python.md lines 890-939). Shared by every Django configuration as its ROOT_URLCONF.

EDIT 1: views.py and urls.py are concatenated; `from .views import PublicAPIView` is commented out
(the view is defined above it in this module).
"""
# views.py
from django.http import JsonResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.utils.decorators import method_decorator
import logging

logger = logging.getLogger(__name__)

class PublicAPIView(View):
    """Public API view with CORS"""
    
    @method_decorator(csrf_exempt)
    def dispatch(self, *args, **kwargs):
        return super().dispatch(*args, **kwargs)
    
    def options(self, request, *args, **kwargs):
        """Handle preflight requests"""
        response = JsonResponse({}, status=204)
        return response
    
    def get(self, request, *args, **kwargs):
        """GET endpoint"""
        return JsonResponse({
            'message': 'Public API endpoint',
            'data': [1, 2, 3]
        })
    
    def post(self, request, *args, **kwargs):
        """POST endpoint"""
        import json
        try:
            data = json.loads(request.body)
            return JsonResponse({
                'message': 'Data received',
                'received': data
            }, status=201)
        except json.JSONDecodeError:
            return JsonResponse({
                'error': 'Invalid JSON'
            }, status=400)

# urls.py
from django.urls import path
# from .views import PublicAPIView  # EDIT 1: defined above in this module

urlpatterns = [
    path('api/public/', PublicAPIView.as_view(), name='public_api'),
]
