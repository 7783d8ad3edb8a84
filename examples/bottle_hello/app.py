"""The classic first app: GET /hello answers Hello World!"""

from bottle import Bottle

app = Bottle()


@app.get("/hello")
def hello() -> str:
    return "Hello World!"
