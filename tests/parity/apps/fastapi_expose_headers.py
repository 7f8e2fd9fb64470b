"""fastapi_expose_headers — guide "Advanced CORS Configuration" > "2. Exposing Custom Headers"
(cors-in-python.md lines 983-1022).

Verbatim; nothing edited.
"""
from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()

app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    expose_headers=[
        "X-Total-Count",      # Custom pagination header
        "X-Request-ID",        # Request tracking
        "X-RateLimit-Limit",   # Rate limiting
        "X-RateLimit-Remaining",
    ],
    allow_methods=["*"],
    allow_headers=["*"],
)

@app.get("/api/users")
async def get_users(response: Response):
    """Endpoint that sets custom headers"""
    users = [{"id": 1, "name": "John"}]
    
    # Set custom headers
    response.headers["X-Total-Count"] = str(len(users))
    response.headers["X-Request-ID"] = "abc123"
    
    return users

# Frontend can now access these headers
"""
fetch('http://localhost:8000/api/users')
    .then(response => {
        const totalCount = response.headers.get('X-Total-Count');
        const requestId = response.headers.get('X-Request-ID');
        console.log(`Total: ${totalCount}, Request ID: ${requestId}`);
    })
"""
