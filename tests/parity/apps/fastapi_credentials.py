"""fastapi_credentials — guide "Advanced CORS Configuration" > "1. Handling Credentials"
(cors-in-python.md lines 948-979).

EDIT 1: the guide shows no route; GET /api/users from the guide's "Basic CORS Setup" (lines
191-193) is added. The frontend snippet (a string in the guide) is kept as it is.
"""
# FastAPI - Credentials with specific origins
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()

# ⚠️ IMPORTANT: Cannot use "*" with credentials
app.add_middleware(
    CORSMiddleware,
    allow_origins=[
        "http://localhost:3000",
        "https://myapp.com",
    ],  # Specific origins required
    allow_credentials=True,  # Enable credentials
    allow_methods=["*"],
    allow_headers=["*"],
)

# Frontend JavaScript example
"""
// Correct way to send credentials
fetch('http://localhost:8000/api/data', {
    method: 'GET',
    credentials: 'include',  // Send cookies
    headers: {
        'Authorization': 'Bearer token123',
        'Content-Type': 'application/json'
    }
})
"""

# EDIT 1: added route (from the guide's Basic CORS Setup)
@app.get("/api/users")
async def get_users():
    return [{"id": 1, "name": "John"}]
