"""Drop-in bridges: other Flickr clients send through flickrwire.

One module per host library, imported on demand (each needs its library):
:mod:`.requests` (``FlickrAdapter``, ``intercept``), :mod:`.httpx` (``FlickrTransport``,
``AsyncFlickrTransport``), :mod:`.xmlrpc` (``Transport``, ``SafeTransport`` for
``xmlrpc.client.ServerProxy``), :mod:`.zeep` (a fault plugin and a transport) and
:mod:`.pytest_plugin` (the ``flickr_emulator`` and ``flickr_cassette`` fixtures).

Every bridge takes the options of :func:`.core.options`: ``target=``, ``via=``,
``credentials=``, ``record=``/``mode=`` and ``on_result=``.
"""

from __future__ import annotations

from .options import VIAS, BridgeError, Options, options

__all__ = ["VIAS", "BridgeError", "Options", "options"]
