"""flask_decorator — guide "CORS in Flask" > "Custom CORS Decorator" (cors-in-python.md lines 650-706).

EDIT 1: the snippet uses `app` and `jsonify` without defining/importing them; `from flask import
Flask, jsonify` and `app = Flask(__name__)` are added. No flask-cors is involved.
"""
from flask import request, make_response
from flask import Flask, jsonify  # EDIT 1
from functools import wraps

app = Flask(__name__)  # EDIT 1

def custom_cors(
    origins=None,
    methods=None,
    allow_headers=None,
    expose_headers=None,
    max_age=600
):
    """Custom CORS decorator with fine-grained control"""
    
    def decorator(f):
        @wraps(f)
        def decorated_function(*args, **kwargs):
            # Handle preflight request
            if request.method == 'OPTIONS':
                response = make_response('', 204)
            else:
                response = make_response(f(*args, **kwargs))
            
            # Get request origin
            origin = request.headers.get('Origin')
            
            # Check if origin is allowed
            if origin and (origins is None or origin in origins):
                response.headers['Access-Control-Allow-Origin'] = origin
            
            # Set other CORS headers
            if methods:
                response.headers['Access-Control-Allow-Methods'] = ', '.join(methods)
            
            if allow_headers:
                response.headers['Access-Control-Allow-Headers'] = ', '.join(allow_headers)
            
            if expose_headers:
                response.headers['Access-Control-Expose-Headers'] = ', '.join(expose_headers)
            
            response.headers['Access-Control-Max-Age'] = str(max_age)
            response.headers['Access-Control-Allow-Credentials'] = 'true'
            
            return response
        
        return decorated_function
    return decorator

# Usage
@app.route('/api/custom', methods=['GET', 'POST', 'OPTIONS'])
@custom_cors(
    origins=['http://localhost:3000'],
    methods=['GET', 'POST'],
    allow_headers=['Content-Type', 'Authorization']
)
def custom_endpoint():
    return jsonify({"message": "Custom CORS applied"})
