"""fastapi_production — guide "CORS in FastAPI" > "Production-Ready CORS Configuration"
(cors-in-python.md lines 198-336).

The guide's config.py and main.py are concatenated into this one module.
EDIT 1: `from config import settings` is commented out (config.py is the top half of this module).
Nothing else is edited. Settings are read from the environment (and from a `.env` file in the
working directory, which the recorder runs in an empty temporary directory so none is found).
"""
# config.py
from pydantic_settings import BaseSettings
from typing import List

class Settings(BaseSettings):
    # CORS settings
    CORS_ORIGINS: List[str] = [
        "http://localhost:3000",
        "http://localhost:8080",
        "https://myapp.com",
        "https://www.myapp.com",
    ]
    CORS_ALLOW_CREDENTIALS: bool = True
    CORS_ALLOW_METHODS: List[str] = ["GET", "POST", "PUT", "DELETE", "OPTIONS"]
    CORS_ALLOW_HEADERS: List[str] = [
        "Accept",
        "Accept-Language",
        "Content-Type",
        "Authorization",
        "X-Requested-With",
    ]
    CORS_EXPOSE_HEADERS: List[str] = [
        "Content-Length",
        "X-Request-ID",
    ]
    CORS_MAX_AGE: int = 600  # 10 minutes
    
    class Config:
        env_file = ".env"

settings = Settings()

# main.py
from fastapi import FastAPI, Header, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from typing import Optional
import logging

# EDIT 1: config.py is the top of this module.
# from config import settings

# Setup logging
logging.basicConfig(level=logging.INFO)
logger = logging.getLogger(__name__)

app = FastAPI(
    title="Secure API with CORS",
    description="API with production-ready CORS configuration"
)

# Add CORS middleware
app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.CORS_ORIGINS,
    allow_credentials=settings.CORS_ALLOW_CREDENTIALS,
    allow_methods=settings.CORS_ALLOW_METHODS,
    allow_headers=settings.CORS_ALLOW_HEADERS,
    expose_headers=settings.CORS_EXPOSE_HEADERS,
    max_age=settings.CORS_MAX_AGE,
)

# Middleware to log CORS requests
@app.middleware("http")
async def log_cors_requests(request, call_next):
    origin = request.headers.get("origin")
    if origin:
        logger.info(f"CORS request from origin: {origin}")
    
    response = await call_next(request)
    
    # Log CORS headers in response
    if origin:
        cors_header = response.headers.get("access-control-allow-origin")
        logger.info(f"CORS response header: {cors_header}")
    
    return response

# Sample endpoints
@app.get("/")
async def root():
    return {"message": "API with CORS enabled"}

@app.get("/api/public")
async def public_endpoint():
    """Public endpoint - no authentication required"""
    return {"message": "This is a public endpoint", "data": [1, 2, 3]}

@app.get("/api/private")
async def private_endpoint(
    authorization: Optional[str] = Header(None)
):
    """
    Private endpoint - requires authentication
    Demonstrates CORS with credentials
    """
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(
            status_code=401,
            detail="Missing or invalid authorization header"
        )
    
    # Validate token (simplified)
    token = authorization.split(" ")[1]
    
    return {
        "message": "This is a private endpoint",
        "user": "authenticated_user",
        "token_preview": token[:10] + "..."
    }

@app.post("/api/data")
async def create_data(data: dict):
    """
    POST endpoint that will trigger preflight
    """
    return {
        "message": "Data created successfully",
        "received": data
    }

@app.options("/api/custom")
async def custom_options():
    """
    Custom OPTIONS handler (usually handled by middleware)
    """
    return JSONResponse(
        content={"message": "Custom OPTIONS response"},
        headers={
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Authorization",
        }
    )

if __name__ == "__main__":
    import uvicorn
    uvicorn.run(app, host="0.0.0.0", port=8000)
