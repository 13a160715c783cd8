"""A misspelt client option: ``mypy --strict`` must reject it (and Python does too)."""

from __future__ import annotations

import flickrwire as fw

client = fw.Client("rest", "json", base_ur="https://api.flickr.com/services/")
