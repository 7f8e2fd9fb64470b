"""flask_blueprints — guide "CORS in Flask" > "Flask CORS with Blueprints"
(cors-in-python.md lines 598-646).

The guide's app.py, blueprints/api_v1.py and blueprints/api_v2.py are concatenated here.
EDIT 1: `from blueprints.api_v1 import api_v1` / `... api_v2` are commented out (the blueprints
are defined above them in this module).
EDIT 2: the two `CORS(api_vN, ...)` calls are moved before `app.register_blueprint(...)`. As
written (after registration) Flask 3.1 refuses them: `CORS(blueprint)` calls
`blueprint.after_request(...)`, and a blueprint that has been registered raises AssertionError
("The setup method 'after_request' can no longer be called on the blueprint 'api_v1'. It has
already been registered ..."), so the module does not import.
"""
# app.py
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)

# Configure CORS for different blueprints
cors_config = {
    "api_v1": {
        "origins": ["http://localhost:3000"],
        "methods": ["GET", "POST"],
    },
    "api_v2": {
        "origins": ["https://myapp.com"],
        "methods": ["GET", "POST", "PUT", "DELETE"],
        "supports_credentials": True,
    }
}

# blueprints/api_v1.py
from flask import Blueprint, jsonify

api_v1 = Blueprint('api_v1', __name__, url_prefix='/api/v1')

@api_v1.route('/users')
def get_users_v1():
    return jsonify([{"id": 1, "name": "John", "version": "v1"}])

# blueprints/api_v2.py
from flask import Blueprint, jsonify

api_v2 = Blueprint('api_v2', __name__, url_prefix='/api/v2')

@api_v2.route('/users')
def get_users_v2():
    return jsonify([{"id": 1, "name": "John", "version": "v2"}])

# Register blueprints with different CORS configs
# from blueprints.api_v1 import api_v1  # EDIT 1: defined above in this module
# from blueprints.api_v2 import api_v2  # EDIT 1: defined above in this module

# EDIT 2: moved here from after register_blueprint (see the module docstring)
# Apply CORS to blueprints
CORS(api_v1, resources={r"/*": cors_config["api_v1"]})
CORS(api_v2, resources={r"/*": cors_config["api_v2"]})

app.register_blueprint(api_v1)
app.register_blueprint(api_v2)

# Apply CORS to blueprints  (EDIT 2: the guide's original position of the two calls above)
# CORS(api_v1, resources={r"/*": cors_config["api_v1"]})
# CORS(api_v2, resources={r"/*": cors_config["api_v2"]})
