"""fastapi_conditional — guide "Advanced CORS Configuration" > "3. Conditional CORS"
(cors-in-python.md lines 1026-1053).

EDIT 1: the guide shows no route; GET /api/users from the guide's "Basic CORS Setup" (lines
191-193) is added. Paths outside /api/ (/other, /apiary) exist only as 404s.
"""
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()

@app.middleware("http")
async def conditional_cors(request: Request, call_next):
    """Apply CORS only to API routes"""
    response = await call_next(request)
    
    # Only apply CORS to /api/* routes
    if request.url.path.startswith("/api/"):
        origin = request.headers.get("origin")
        
        if origin:
            # Validate origin
            allowed_origins = [
                "http://localhost:3000",
                "https://myapp.com"
            ]
            
            if origin in allowed_origins:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Credentials"] = "true"
    
    return response

# EDIT 1: added route (from the guide's Basic CORS Setup)
@app.get("/api/users")
async def get_users():
    return [{"id": 1, "name": "John"}]
