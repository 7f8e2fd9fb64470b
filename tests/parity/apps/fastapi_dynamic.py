"""fastapi_dynamic — guide "CORS in FastAPI" > "Dynamic CORS Origins" (cors-in-python.md lines 340-392).

EDIT 1: added `from fastapi.responses import JSONResponse`; the guide uses JSONResponse without
importing it, so every allowed preflight raised NameError.
"""
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse  # EDIT 1: missing import in the guide
import re

app = FastAPI()

# Define allowed origin patterns
ALLOWED_ORIGIN_PATTERNS = [
    r"https://.*\.myapp\.com",  # Any subdomain of myapp.com
    r"http://localhost:\d+",     # Any localhost port
]

def is_origin_allowed(origin: str) -> bool:
    """Check if origin matches allowed patterns"""
    for pattern in ALLOWED_ORIGIN_PATTERNS:
        if re.match(pattern, origin):
            return True
    return False

# Custom CORS middleware with dynamic origins
@app.middleware("http")
async def custom_cors_middleware(request: Request, call_next):
    origin = request.headers.get("origin")
    
    # Handle preflight requests
    if request.method == "OPTIONS":
        if origin and is_origin_allowed(origin):
            return JSONResponse(
                content={},
                headers={
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type, Authorization",
                    "Access-Control-Allow-Credentials": "true",
                    "Access-Control-Max-Age": "600",
                }
            )
    
    # Process request
    response = await call_next(request)
    
    # Add CORS headers to response
    if origin and is_origin_allowed(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
    
    return response

@app.get("/api/data")
async def get_data():
    return {"data": "This endpoint uses dynamic CORS"}
