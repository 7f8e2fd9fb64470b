"""fastapi_secure — guide "Security Considerations" > "1. Never Use Wildcards in Production with
Credentials", the "✅ SECURE" block (cors-in-python.md lines 1134-1144).

The "❌ DANGEROUS" block above it (lines 1125-1132) is the same configuration as fastapi_basic and
is recorded there.
EDIT 1: the snippet uses `app`, FastAPI and CORSMiddleware without defining/importing them; the
imports and `app = FastAPI()` are added.
EDIT 2: GET /api/users from the guide's "Basic CORS Setup" (lines 191-193) is added.
"""
from fastapi import FastAPI  # EDIT 1
from fastapi.middleware.cors import CORSMiddleware  # EDIT 1

app = FastAPI()  # EDIT 1

# ✅ SECURE - Use specific origins
app.add_middleware(
    CORSMiddleware,
    allow_origins=[
        "https://myapp.com",
        "https://www.myapp.com",
    ],
    allow_credentials=True,
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Content-Type", "Authorization"],
)

# EDIT 2: added route (from the guide's Basic CORS Setup)
@app.get("/api/users")
async def get_users():
    return [{"id": 1, "name": "John"}]
