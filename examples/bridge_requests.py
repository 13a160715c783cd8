"""flickrapi, unchanged, talking to flickrwire's emulator over SOAP through the requests bridge.

flickrapi addresses https://api.flickr.com/services/rest/ as always; ``intercept`` sends
its calls to the emulator instead, over Flickr's SOAP endpoint, re-signs them with the
given credentials (the URL and protocol changed), and renders every answer back as the
REST JSON flickrapi asked for.

Run: ``python examples/bridge_requests.py`` (starts an emulator on a free loopback port).
"""

from __future__ import annotations

import flickrapi

from flickrwire.bridges.emulated import start_emulator
from flickrwire.bridges.requests import intercept

with start_emulator() as emulator:
    bob = emulator.credentials("bob")
    token = flickrapi.auth.FlickrAccessToken(bob.oauth_token, bob.oauth_token_secret, "delete")
    flickr = flickrapi.FlickrAPI(
        bob.api_key, bob.api_secret, token=token, store_token=False, format="parsed-json"
    )
    seen = []
    with intercept(target=emulator.base_url, via="soap", credentials=bob, on_result=seen.append):
        print("echo:", flickr.test.echo(name="hello")["name"]["_content"])
        print("leave:", flickr.groups.leave(group_id="30000001@N01")["stat"])
        try:
            flickr.groups.leave(group_id="30000001@N01")
        except flickrapi.FlickrError as exc:
            print("leave again:", exc.code, exc)
    print("flickrwire saw:", [(r.transport, r.ok, r.code) for r in seen])
    print("the emulator saw:", [(e.transport, e.method) for e in emulator.requests()])
