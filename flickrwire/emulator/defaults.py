"""The emulator's defaults that its command lines need before the server code (and the
``server`` extra) is loaded."""

from __future__ import annotations

#: The longest request body the emulator takes, in bytes; longer ones get 413 unread.
DEFAULT_MAX_BODY = 1 << 20

#: The environment variable that gives the admin API's bearer token.
TOKEN_ENV = "FLICKRWIRE_ADMIN_TOKEN"
