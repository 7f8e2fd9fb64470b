"""fastapi_quick_reference — guide "Summary" > "Quick Reference" (cors-in-python.md lines 1784-1795).

EDIT 1: the snippet uses `app`, FastAPI and CORSMiddleware without defining/importing them; the
imports and `app = FastAPI()` are added.
EDIT 2: GET /api/users from the guide's "Basic CORS Setup" (lines 191-193) is added.
"""
from fastapi import FastAPI  # EDIT 1
from fastapi.middleware.cors import CORSMiddleware  # EDIT 1

app = FastAPI()  # EDIT 1

# Minimal secure CORS setup
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://myapp.com"],  # Specific origins
    allow_credentials=True,                # Enable credentials
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Content-Type", "Authorization"],
    expose_headers=["X-Total-Count"],      # Custom headers
    max_age=600,                           # Cache preflight
)

# EDIT 2: added route (from the guide's Basic CORS Setup)
@app.get("/api/users")
async def get_users():
    return [{"id": 1, "name": "John"}]
