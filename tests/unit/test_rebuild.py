"""The app can be built again any number of times in one process (the page tests do it
for every test): startup does not get deeper with each build (it used to nest one more
layer per build until startup ran out of stack after about 350 page tests)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from tracker_app import api


def test_building_the_api_again_does_not_nest_startup() -> None:
    depths: list[int] = []

    @asynccontextmanager
    async def startup(app: FastAPI) -> AsyncIterator[None]:
        frame, depth = sys._getframe(), 0
        while frame:
            frame, depth = frame.f_back, depth + 1
        depths.append(depth)  # how deep the app's own startup runs
        yield

    app = FastAPI(lifespan=startup)

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pass

    for _ in range(3):
        api.install(app)
        asyncio.run(start())
    assert depths[0] == depths[1] == depths[2]
