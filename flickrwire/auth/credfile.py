"""The per-user credentials file: named profiles of keys and tokens, kept private (0600)."""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .signing import Credentials


@dataclass(frozen=True, slots=True)
class RequestToken:
    """The temporary token of step 1; ``callback_confirmed`` is OAuth 1.0a's promise."""

    token: str = field(repr=False)
    secret: str = field(repr=False)
    callback_confirmed: bool = True


CONFIG_ENV = "FLICKRWIRE_CONFIG"
CONFIG_FORMAT = "flickrwire-credentials/1"
DEFAULT_PROFILE = "default"
#: The permission bits a credentials file may not have: anything for group or others.
_SHARED_BITS = 0o077


class ConfigError(ValueError):
    """The credentials file cannot be used; the message names the file, never a secret."""


class InsecureConfigError(ConfigError):
    """The credentials file can be read by other users (group or world bits set)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """One named entry of the credentials file: the app's key, a user's token, a server."""

    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    oauth_token: str | None = field(default=None, repr=False)
    oauth_token_secret: str | None = field(default=None, repr=False)
    user_nsid: str | None = None
    username: str | None = None
    #: The API base URL for ``Client`` (None: Flickr's).
    base_url: str | None = None
    #: A request token waiting for its verifier (``flickrwire auth --start-only``).
    request_token: str | None = field(default=None, repr=False)
    request_token_secret: str | None = field(default=None, repr=False)

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.api_key, self.api_secret, self.oauth_token, self.oauth_token_secret)

    @property
    def pending(self) -> RequestToken | None:
        if self.request_token and self.request_token_secret:
            return RequestToken(self.request_token, self.request_token_secret)
        return None

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Profile:
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: a profile is a JSON object")
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{where}: unknown field(s) {', '.join(unknown)}")
        for name in ("api_key", "api_secret"):
            if not isinstance(data.get(name), str) or not data[name]:
                raise ConfigError(f"{where}: {name} must be a non-empty string")
        for name, value in data.items():
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"{where}: {name} must be a string or null")
        for token in ("oauth_token", "request_token"):
            if bool(data.get(token)) != bool(data.get(f"{token}_secret")):
                raise ConfigError(f"{where}: {token} and {token}_secret go together")
        return cls(**data)


def config_path(
    explicit: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The credentials file: ``explicit``, else ``$FLICKRWIRE_CONFIG``, else
    ``$XDG_CONFIG_HOME/flickrwire/credentials.json`` (``~/.config`` when unset)."""
    env = os.environ if environ is None else environ
    if explicit:
        return Path(explicit).expanduser()
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    xdg = env.get("XDG_CONFIG_HOME")
    # The XDG Base Directory spec ignores a relative XDG_CONFIG_HOME.
    root = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    return root / "flickrwire" / "credentials.json"


def _check_private(fd: int, path: Path, *, repair: bool) -> None:
    """Refuse (or, with ``repair``, chmod 0600) a file that others can read, as ssh does."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path}: not a regular file")
    if os.name == "nt" or not info.st_mode & _SHARED_BITS:
        return
    if not repair:
        mode = stat.S_IMODE(info.st_mode)
        raise InsecureConfigError(
            f"{path} is readable by other users (mode {mode:04o}); it holds secrets. "
            f"Run: chmod 600 {path}"
        )
    os.fchmod(fd, 0o600)


def read_profiles(path: Path, *, repair: bool = False) -> dict[str, Profile]:
    """Every profile in the file at ``path`` ({} when there is no file)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot open ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as handle:
        _check_private(fd, path, repair=repair)
        raw = handle.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: not valid JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("format") != CONFIG_FORMAT:
        raise ConfigError(f"{path}: not a {CONFIG_FORMAT} file")
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: 'profiles' must be an object")
    return {name: Profile.from_dict(value, f"{path} [{name}]") for name, value in profiles.items()}


def load_profile(name: str = DEFAULT_PROFILE, path: Path | None = None) -> Profile:
    """The profile ``name``; :class:`ConfigError` when the file or the profile is missing."""
    path = path or config_path()
    profiles = read_profiles(path)
    if name not in profiles:
        where = "no credentials file" if not path.exists() else "no such profile"
        raise ConfigError(f"{where}: profile {name!r} in {path} (run: flickrwire auth)")
    return profiles[name]


def load_credentials(
    name: str = DEFAULT_PROFILE, path: Path | None = None
) -> tuple[Credentials, str | None]:
    """The profile's :class:`Credentials` and its API base URL (None: Flickr's)."""
    profile = load_profile(name, path)
    return profile.credentials, profile.base_url


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with ``text``, mode 0600 from the first byte.

    The new content goes to a temporary file created 0600 (``O_EXCL``) in the same folder,
    is flushed to disk, then renamed over ``path``: a reader sees the old file or the new.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):  # the umask may have taken more bits than we asked
                os.fchmod(handle.fileno(), 0o600)
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def save_profile(name: str, profile: Profile, path: Path | None = None) -> Path:
    """Store ``profile`` as ``name``, keeping the other profiles; returns the file's path.

    A file that others could read is repaired (rewritten 0600), not refused: it is being
    replaced anyway.
    """
    path = path or config_path()
    profiles = read_profiles(path, repair=True)
    profiles[name] = profile
    data = {
        "format": CONFIG_FORMAT,
        "profiles": {key: asdict(value) for key, value in sorted(profiles.items())},
    }
    write_private(path, json.dumps(data, indent=2) + "\n")
    return path
