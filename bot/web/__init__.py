"""The web chat page served by `make run` on WEB_PORT."""
