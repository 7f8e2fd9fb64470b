"""fastapi_basic — guide "CORS in FastAPI" > "Basic CORS Setup" (cors-in-python.md lines 175-194).

Verbatim; nothing edited.
"""
# main.py
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="API with CORS")

# Configure CORS
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],  # Allow all origins
    allow_credentials=True,
    allow_methods=["*"],  # Allow all methods
    allow_headers=["*"],  # Allow all headers
)

@app.get("/api/users")
async def get_users():
    return [{"id": 1, "name": "John"}]
