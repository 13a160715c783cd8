"""flickrwire: any Flickr API call over REST, XML-RPC or SOAP, decoded into one Result."""

from __future__ import annotations

from .auth import Credentials, Signer
from .call import Call, MethodSpec
from .client import AsyncClient, Client, InsecureURLError
from .decoding import decode
from .errors import (
    APIError,
    AuthError,
    BadURL,
    DecodeError,
    FlickrwireError,
    FormatNotFound,
    HTTPStatusError,
    InsufficientPermissions,
    InvalidAPIKey,
    InvalidAuthToken,
    InvalidSignature,
    InvalidSOAPEnvelope,
    InvalidXMLRPCCall,
    MethodNotFound,
    MissingSignature,
    NetworkError,
    ProtocolError,
    ServiceUnavailable,
    SSLRequired,
    TransportError,
    WriteFailed,
)
from .result import Fault, Result
from .retry import RetryPolicy

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "AsyncClient",
    "AuthError",
    "BadURL",
    "Call",
    "Client",
    "Credentials",
    "DecodeError",
    "Fault",
    "FlickrwireError",
    "FormatNotFound",
    "HTTPStatusError",
    "InsecureURLError",
    "InsufficientPermissions",
    "InvalidAPIKey",
    "InvalidAuthToken",
    "InvalidSOAPEnvelope",
    "InvalidSignature",
    "InvalidXMLRPCCall",
    "MethodNotFound",
    "MethodSpec",
    "MissingSignature",
    "NetworkError",
    "ProtocolError",
    "Result",
    "RetryPolicy",
    "SSLRequired",
    "ServiceUnavailable",
    "Signer",
    "TransportError",
    "WriteFailed",
    "decode",
]
