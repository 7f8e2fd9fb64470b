"""fastapi_dev_prod — guide "Best Practices" > "1. Development vs Production Configuration"
(cors-in-python.md lines 1599-1651).

Recorded once per ENVIRONMENT value (development, the default; production). ENVIRONMENT is read
when the Settings class is defined, i.e. at import time.
EDIT 1: the guide's config.py and main.py are concatenated; `from config import settings` is
commented out.
EDIT 2: the guide shows no route; GET /api/users from the guide's "Basic CORS Setup" (lines
191-193) is added.
"""
# config.py
import os
from typing import List

class Settings:
    ENVIRONMENT = os.getenv("ENVIRONMENT", "development")
    
    @property
    def cors_origins(self) -> List[str]:
        if self.ENVIRONMENT == "production":
            return [
                "https://myapp.com",
                "https://www.myapp.com",
            ]
        else:
            return [
                "http://localhost:3000",
                "http://localhost:8080",
                "http://127.0.0.1:3000",
            ]
    
    @property
    def cors_allow_all(self) -> bool:
        return self.ENVIRONMENT == "development"

settings = Settings()

# main.py
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
# from config import settings  # EDIT 1: config.py is the top of this module

app = FastAPI()

if settings.cors_allow_all:
    # Development: Allow all origins
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
    )
else:
    # Production: Strict CORS
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Content-Type", "Authorization"],
    )

# EDIT 2: added route (from the guide's Basic CORS Setup)
@app.get("/api/users")
async def get_users():
    return [{"id": 1, "name": "John"}]
