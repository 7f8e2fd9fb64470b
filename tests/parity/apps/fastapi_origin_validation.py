"""fastapi_origin_validation — guide "Security Considerations" > "2. Validate Origins Carefully"
(cors-in-python.md lines 1149-1199).

EDIT 1: the guide shows no route; GET /api/users from the guide's "Basic CORS Setup" (lines
191-193) is added.
"""
from fastapi import FastAPI, Request
from urllib.parse import urlparse

app = FastAPI()

def is_origin_safe(origin: str) -> bool:
    """Validate origin with strict rules"""
    try:
        parsed = urlparse(origin)
        
        # Check protocol
        if parsed.scheme not in ['http', 'https']:
            return False
        
        # Check domain
        allowed_domains = [
            'myapp.com',
            'www.myapp.com',
            'app.myapp.com',
        ]
        
        # Allow localhost in development
        if parsed.hostname in ['localhost', '127.0.0.1']:
            return True
        
        # Check if domain or subdomain is allowed
        if parsed.hostname in allowed_domains:
            return True
        
        # Check subdomain
        for domain in allowed_domains:
            if parsed.hostname.endswith('.' + domain):
                return True
        
        return False
    except Exception:
        return False

@app.middleware("http")
async def secure_cors(request: Request, call_next):
    origin = request.headers.get("origin")
    
    response = await call_next(request)
    
    if origin and is_origin_safe(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
    
    return response

# EDIT 1: added route (from the guide's Basic CORS Setup)
@app.get("/api/users")
async def get_users():
    return [{"id": 1, "name": "John"}]
