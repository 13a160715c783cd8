"""zeep on flickrwire's shipped WSDL, with Flickr's faults made readable by the bridge's
plugin (``Fault.code == "flickr.error.N"``) and its calls sent to the emulator.

Run: ``python examples/bridge_zeep.py`` (starts an emulator on a free loopback port).
"""

from __future__ import annotations

import zeep.exceptions
from lxml import etree

from flickrwire.bridges.emulated import start_emulator
from flickrwire.transports import wsdl


def children(**params: str) -> list[etree._Element]:
    """Every parameter but ``method`` goes in the FlickrRequest as an element."""
    out = []
    for name, value in params.items():
        element = etree.Element(name)
        element.text = value
        out.append(element)
    return out


with start_emulator() as emulator:
    client = wsdl.zeep_client(target=emulator.base_url)
    answer = client.service.FlickrRequest(
        method="flickr.test.echo", _value_1=children(api_key=emulator.api_key, name="hello")
    )
    print("echo:", answer)
    try:
        client.service.FlickrRequest(
            method="flickr.test.echo", _value_1=children(api_key="not-a-key")
        )
    except zeep.exceptions.Fault as fault:
        print("fault:", fault.code, fault.message)
    client.transport.close()
