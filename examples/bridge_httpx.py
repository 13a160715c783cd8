"""An httpx client addressing Flickr, re-targeted to the emulator and re-routed over XML-RPC
by ``FlickrTransport``, with every exchange recorded as a fixture and then replayed offline.

Run: ``python examples/bridge_httpx.py`` (starts an emulator on a free loopback port).
"""

from __future__ import annotations

import tempfile

import httpx

import flickrwire
from flickrwire.bridges.emulated import start_emulator
from flickrwire.bridges.httpx import FlickrTransport

FLICKR = "https://api.flickr.com/services/"

with start_emulator() as emulator, tempfile.TemporaryDirectory() as folder:
    bob = emulator.credentials("bob")
    # Record: the calls reach the emulator over XML-RPC and are saved, secrets redacted.
    wire = FlickrTransport(
        target=emulator.base_url, via="xmlrpc", credentials=bob, record=folder, mode="all"
    )
    with httpx.Client(transport=wire) as http:
        client = flickrwire.Client("rest", "json", bob, base_url=FLICKR, http_client=http)
        print("recorded:", client.groups.leave(group_id="30000001@N01").ok)
        print("recorded:", client.groups.leave(group_id="30000001@N01").code)
    # Replay: no server is asked (a closed port as the target proves it).
    wire = FlickrTransport(
        target="http://127.0.0.1:9/services/",
        via="xmlrpc",
        credentials=bob,
        record=folder,
        mode="none",
    )
    with httpx.Client(transport=wire) as http:
        client = flickrwire.Client("rest", "json", bob, base_url=FLICKR, http_client=http)
        print("replayed:", client.groups.leave(group_id="30000001@N01").ok)
        print("replayed:", client.groups.leave(group_id="30000001@N01").code)
