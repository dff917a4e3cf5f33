"""The baseline of the latency bench: a bare Flask endpoint under the suite's gunicorn settings."""

from __future__ import annotations

from flask import Flask, Response, jsonify


def create_app() -> Flask:
    """Return an app with one endpoint that answers a small JSON body and does nothing else."""
    app = Flask(__name__)

    @app.get("/bare")
    def bare() -> Response:
        """Answer at once."""
        return jsonify({"status": "ok"})

    return app
