"""The console's pages, each router a part of the story."""

from services.console.api import admin, assets, community, desk, inbox, signing_in, training, watcher

ROUTERS = [
    signing_in.router,
    watcher.router,
    desk.router,
    inbox.router,
    community.router,
    training.router,
    admin.router,
    assets.router,
]
