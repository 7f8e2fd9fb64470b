"""fastapi_metrics — guide "Best Practices" > "2. Logging CORS Requests" and "4. Monitoring and
Alerting" (cors-in-python.md lines 1655-1683 and 1722-1765), on the app of "1. Development vs
Production Configuration" (lines 1599-1651), which is the `app` those two snippets refer to.

Recorded with ENVIRONMENT=production (the strict branch; the development branch is recorded in
fastapi_dev_prod.development and is header-for-header what this module serves there too).
EDIT 1: the snippets use `app` without defining it; it is the app of fastapi_dev_prod (Best
Practices 1), imported here.
Note (not an edit): the middlewares are registered in the guide's order (logging, then
monitoring), after the CORS middleware of Best Practices 1, so they run outside it and see its
headers. Nothing else is edited; the route (GET /api/users) comes with fastapi_dev_prod.
"""
from apps.fastapi_dev_prod import app  # EDIT 1

# --- Best Practices 2. Logging CORS Requests ---
import logging
from fastapi import FastAPI, Request

logger = logging.getLogger(__name__)

@app.middleware("http")
async def log_cors(request: Request, call_next):
    origin = request.headers.get("origin")
    
    if origin:
        logger.info(
            f"CORS request - "
            f"Origin: {origin}, "
            f"Method: {request.method}, "
            f"Path: {request.url.path}"
        )
    
    response = await call_next(request)
    
    if origin:
        cors_origin = response.headers.get("access-control-allow-origin")
        if cors_origin:
            logger.info(f"CORS allowed for origin: {origin}")
        else:
            logger.warning(f"CORS blocked for origin: {origin}")
    
    return response

# --- Best Practices 4. Monitoring and Alerting ---
from fastapi import FastAPI, Request
from prometheus_client import Counter, Histogram
import time

# Metrics
cors_requests_total = Counter(
    'cors_requests_total',
    'Total CORS requests',
    ['origin', 'method', 'allowed']
)

cors_request_duration = Histogram(
    'cors_request_duration_seconds',
    'CORS request duration',
    ['origin', 'method']
)

@app.middleware("http")
async def monitor_cors(request: Request, call_next):
    origin = request.headers.get("origin")
    
    if origin:
        start_time = time.time()
        response = await call_next(request)
        duration = time.time() - start_time
        
        # Track metrics
        is_allowed = "access-control-allow-origin" in response.headers
        cors_requests_total.labels(
            origin=origin,
            method=request.method,
            allowed=str(is_allowed)
        ).inc()
        
        cors_request_duration.labels(
            origin=origin,
            method=request.method
        ).observe(duration)
        
        return response
    
    return await call_next(request)
