"""Flask's first app: GET /hello answers Hello World!"""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "Hello World!"
