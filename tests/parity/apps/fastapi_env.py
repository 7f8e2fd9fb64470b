"""fastapi_env — guide "CORS in FastAPI" > "Environment-Based CORS" (cors-in-python.md lines 396-438).

Recorded once per ENVIRONMENT value (development, the default; staging; production).
EDIT 1: the guide's config.py and main.py are concatenated; `from config import config` is
commented out.
EDIT 2: the guide shows no route; GET /api/users from the guide's "Basic CORS Setup" (lines
191-193) is added so that there is something to request.
"""
# config.py
import os
from typing import List

class Config:
    def get_cors_origins(self) -> List[str]:
        env = os.getenv("ENVIRONMENT", "development")
        
        if env == "production":
            return [
                "https://myapp.com",
                "https://www.myapp.com",
            ]
        elif env == "staging":
            return [
                "https://staging.myapp.com",
                "https://dev.myapp.com",
            ]
        else:  # development
            return [
                "http://localhost:3000",
                "http://localhost:8080",
                "http://127.0.0.1:3000",
            ]

config = Config()

# main.py
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
# from config import config  # EDIT 1: config.py is the top of this module

app = FastAPI()

app.add_middleware(
    CORSMiddleware,
    allow_origins=config.get_cors_origins(),
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

# EDIT 2: added route (from the guide's Basic CORS Setup)
@app.get("/api/users")
async def get_users():
    return [{"id": 1, "name": "John"}]
