"""flask_advanced — guide "CORS in Flask" > "Advanced Flask CORS Configuration"
(cors-in-python.md lines 474-594).

Verbatim; nothing edited.
"""
# app.py
from flask import Flask, jsonify, request
from flask_cors import CORS, cross_origin
from functools import wraps
import logging

# Setup logging
logging.basicConfig(level=logging.INFO)
logger = logging.getLogger(__name__)

app = Flask(__name__)

# Global CORS configuration
cors_config = {
    "origins": [
        "http://localhost:3000",
        "http://localhost:8080",
        "https://myapp.com",
    ],
    "methods": ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    "allow_headers": [
        "Content-Type",
        "Authorization",
        "X-Requested-With",
    ],
    "expose_headers": [
        "Content-Length",
        "X-Request-ID",
    ],
    "supports_credentials": True,
    "max_age": 600,
}

# Apply CORS to entire app
CORS(app, resources={r"/api/*": cors_config})

# Middleware to log CORS requests
@app.before_request
def log_cors_request():
    origin = request.headers.get('Origin')
    if origin:
        logger.info(f"CORS request from origin: {origin}")
        logger.info(f"Request method: {request.method}")
        logger.info(f"Request path: {request.path}")

@app.after_request
def log_cors_response(response):
    origin = request.headers.get('Origin')
    if origin:
        cors_origin = response.headers.get('Access-Control-Allow-Origin')
        logger.info(f"CORS response origin: {cors_origin}")
    return response

# Public endpoint
@app.route('/api/public', methods=['GET'])
def public_endpoint():
    """Public endpoint with CORS"""
    return jsonify({
        "message": "This is a public endpoint",
        "data": [1, 2, 3]
    })

# Private endpoint with authentication
@app.route('/api/private', methods=['GET'])
@cross_origin(supports_credentials=True)
def private_endpoint():
    """Private endpoint requiring authentication"""
    auth_header = request.headers.get('Authorization')
    
    if not auth_header or not auth_header.startswith('Bearer '):
        return jsonify({"error": "Unauthorized"}), 401
    
    token = auth_header.split(' ')[1]
    
    return jsonify({
        "message": "Private data",
        "user": "authenticated_user",
        "token_preview": token[:10] + "..."
    })

# POST endpoint that triggers preflight
@app.route('/api/data', methods=['POST', 'OPTIONS'])
def create_data():
    """POST endpoint with CORS"""
    if request.method == 'OPTIONS':
        return '', 204
    
    data = request.get_json()
    return jsonify({
        "message": "Data created",
        "received": data
    }), 201

# Route-specific CORS
@app.route('/api/specific', methods=['GET'])
@cross_origin(
    origins=["http://localhost:3000"],
    methods=["GET"],
    allow_headers=["Content-Type"],
)
def specific_cors():
    """Endpoint with specific CORS configuration"""
    return jsonify({"message": "Specific CORS rules apply here"})

# Error handlers with CORS
@app.errorhandler(404)
def not_found(error):
    response = jsonify({"error": "Not found"})
    response.status_code = 404
    return response

@app.errorhandler(500)
def internal_error(error):
    response = jsonify({"error": "Internal server error"})
    response.status_code = 500
    return response

if __name__ == '__main__':
    app.run(debug=True, port=5000)
