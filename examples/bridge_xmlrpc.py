"""The standard library's ``xmlrpc.client`` on Flickr's XML-RPC endpoint, through httpx.

A ``format=json`` answer comes back as the JSON text (the stdlib alone would fail to parse
it as XML), and a Flickr error as ``xmlrpc.client.Fault(code, message)``.

Run: ``python examples/bridge_xmlrpc.py`` (starts an emulator on a free loopback port).
"""

from __future__ import annotations

import json
import xmlrpc.client

from flickrwire.bridges.emulated import start_emulator
from flickrwire.bridges.xmlrpc import SafeTransport

with start_emulator() as emulator:
    transport = SafeTransport(target=emulator.base_url)
    with xmlrpc.client.ServerProxy(
        "https://api.flickr.com/services/xmlrpc/", transport=transport
    ) as proxy:
        key = {"api_key": emulator.api_key}
        print("xml:", proxy.flickr.test.echo({**key, "name": "hello"}))
        json_args = {"format": "json", "nojsoncallback": "1"}
        text = proxy.flickr.test.echo({**key, "name": "hello", **json_args})
        print("json:", json.loads(text)["name"])
        try:
            proxy.flickr.test.echo({"api_key": "not-a-key"})
        except xmlrpc.client.Fault as fault:
            print("fault:", fault.faultCode, fault.faultString)
