"""fastapi_rate_limit — guide "Advanced CORS Configuration" > "4. CORS with Rate Limiting"
(cors-in-python.md lines 1057-1116).

Stateful: the per-origin request counters live in this module, so scenarios must be replayed in
order against a fresh app.
EDIT 1: added `from fastapi.responses import JSONResponse`; the guide uses it without importing
it, so the 101st request from an origin raised NameError instead of answering 429.
EDIT 2: the guide shows no route; GET /api/users from the guide's "Basic CORS Setup" (lines
191-193) is added.
"""
from fastapi import FastAPI, Request, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse  # EDIT 1: missing import in the guide
from collections import defaultdict
from datetime import datetime, timedelta
import asyncio

app = FastAPI()

# Rate limiting storage
rate_limit_storage = defaultdict(list)
RATE_LIMIT = 100  # requests
RATE_WINDOW = 3600  # seconds (1 hour)

@app.middleware("http")
async def rate_limit_with_cors(request: Request, call_next):
    """Rate limiting that respects CORS"""
    origin = request.headers.get("origin", "unknown")
    
    # Clean old entries
    now = datetime.now()
    rate_limit_storage[origin] = [
        timestamp for timestamp in rate_limit_storage[origin]
        if now - timestamp < timedelta(seconds=RATE_WINDOW)
    ]
    
    # Check rate limit
    if len(rate_limit_storage[origin]) >= RATE_LIMIT:
        # Return CORS-compliant error
        response = JSONResponse(
            content={"error": "Rate limit exceeded"},
            status_code=429
        )
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["X-RateLimit-Limit"] = str(RATE_LIMIT)
        response.headers["X-RateLimit-Remaining"] = "0"
        return response
    
    # Add request to rate limit storage
    rate_limit_storage[origin].append(now)
    
    # Process request
    response = await call_next(request)
    
    # Add rate limit headers
    remaining = RATE_LIMIT - len(rate_limit_storage[origin])
    response.headers["X-RateLimit-Limit"] = str(RATE_LIMIT)
    response.headers["X-RateLimit-Remaining"] = str(remaining)
    
    return response

# Configure CORS with exposed rate limit headers
app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    expose_headers=["X-RateLimit-Limit", "X-RateLimit-Remaining"],
    allow_methods=["*"],
    allow_headers=["*"],
)

# EDIT 2: added route (from the guide's Basic CORS Setup)
@app.get("/api/users")
async def get_users():
    return [{"id": 1, "name": "John"}]
