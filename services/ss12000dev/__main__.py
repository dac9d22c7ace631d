"""`python -m ss12000dev`: serve the development SS 12000 register on DEV_SS12000_HOST:PORT."""
from __future__ import annotations

import os
from pathlib import Path

import uvicorn

from eventkit.config import env
from ss12000dev.app import DEFAULT_ORGANISATION, Store, create_app


def main() -> None:
    store = Store.seeded(Path(os.environ.get("DEV_ORGANISATION_FILE") or DEFAULT_ORGANISATION),
                         int(env("DEV_SS12000_PUPILS_PER_UNIT", "300")))
    app = create_app(store, client_id=env("SS12000_CLIENT_ID"),
                     client_secret=env("SS12000_CLIENT_SECRET"),
                     token_seconds=int(env("DEV_SS12000_TOKEN_SECONDS", "300")))
    uvicorn.run(app, host=env("DEV_SS12000_HOST", "127.0.0.1"), port=int(env("DEV_SS12000_PORT")))


if __name__ == "__main__":
    main()
