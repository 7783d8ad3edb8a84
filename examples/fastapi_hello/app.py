"""FastAPI's first app (ASGI): GET /hello answers {"message": "Hello World!"}."""

from fastapi import FastAPI

app = FastAPI(title="hello")


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello World!"}
