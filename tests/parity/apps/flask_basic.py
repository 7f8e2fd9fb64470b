"""flask_basic — guide "CORS in Flask" > "Basic CORS Setup" (cors-in-python.md lines 454-470).

Verbatim; nothing edited.
"""
# app.py
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)

# Enable CORS for all routes
CORS(app)

@app.route('/api/users')
def get_users():
    return jsonify([{"id": 1, "name": "John"}])

if __name__ == '__main__':
    app.run(debug=True)
