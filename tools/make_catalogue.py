"""Write ``flickrwire/catalogue/methods.json``: every method of Flickr's public API, built
from three published packages that carry Flickr's own reflection output.

    python tools/make_catalogue.py [--cache DIR] [--check]

Sources, fetched with the registries' own clients into ``--cache`` (default ``.cache/
catalogue`` in the repository; kept between runs, so a second run needs no network):

- ``flickr-sdk`` (npm, Flickr's official JavaScript SDK): one generated TypeScript type per
  method (``dist/services/rest/flickr.*.d.ts``) with the description, each argument, whether
  it is required, and the permission; ``dist/index.js`` holds the list of methods the SDK
  sends as POST (``POST_REGEXP``).
- ``flickrapi`` (npm, Pomax's node-flickrapi): ``browser/flickrapi.dev.js`` embeds the output
  of ``flickr.reflection.getMethodInfo`` for every method: needslogin, needssigning,
  requiredperms, required and optional arguments, the method's own errors.
- ``flickr-api`` (PyPI, python-flickr-api): ``flickr_api/methods.py`` holds the same
  reflection output including the documented example responses.

Each method records which source gave each field; the ``sources`` table gives each source's
package, version, digest and date. Deterministic: the same packages give the same bytes.
The packages are read as data (JSON and Python literals), never executed.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "flickrwire" / "catalogue" / "methods.json"

SDK = {"name": "flickr-sdk", "version": "7.1.0", "registry": "npm"}
POMAX = {"name": "flickrapi", "version": "0.6.2", "registry": "npm"}
PYAPI = {"name": "flickr-api", "version": "0.8.1", "registry": "pypi"}

#: Flickr's global errors (https://www.flickr.com/services/api/ , every method page): listed
#: by the reflection output for every method, so not part of a method's own errors.
GLOBAL_CODES = frozenset({95, 96, 97, 98, 99, 100, 105, 106, 111, 112, 114, 115, 116})
PERMS = ("none", "read", "write", "delete")


# -- fetching ------------------------------------------------------------------------------


def npm_pack(source: dict[str, str], cache: Path) -> tuple[Path, dict[str, str]]:
    """The package tarball in ``cache`` (fetched with ``npm pack`` when missing)."""
    spec = f"{source['name']}@{source['version']}"
    target = cache / f"{source['name']}-{source['version']}.tgz"
    meta_file = cache / f"{source['name']}-{source['version']}.npm.json"
    if not target.exists() or not meta_file.exists():
        cache.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            ["npm", "pack", spec, "--json", "--pack-destination", str(cache)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        info = json.loads(out)[0]
        published = subprocess.run(
            ["npm", "view", spec, f"time[{source['version']}]"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        meta = {"integrity": info["integrity"], "published": published}
        meta_file.write_text(json.dumps(meta, indent=1) + "\n")
    return target, json.loads(meta_file.read_text())


def pip_download(source: dict[str, str], cache: Path) -> tuple[Path, dict[str, str]]:
    """The wheel in ``cache`` (fetched with ``pip download`` when missing)."""
    wheels = sorted(cache.glob(f"{source['name'].replace('-', '_')}-{source['version']}-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"),
                *("-q", "-d", str(cache), f"{source['name']}=={source['version']}"),
            ],
            check=True,
        )
        wheels = sorted(cache.glob(f"{source['name'].replace('-', '_')}-*.whl"))
    digest = hashlib.sha256(wheels[0].read_bytes()).hexdigest()
    return wheels[0], {"sha256": digest}


# -- reading flickr-sdk ----------------------------------------------------------------------

HEADER = re.compile(r"/\*\*(?P<head>.*?)\*/\s*export type \w+Params = \{(?P<body>.*?)\};", re.S)
FIELD = re.compile(
    r"(?:/\*\*(?P<doc>.*?)\*/\s*)?(?P<name>[A-Za-z_]\w*)(?P<opt>\?)?:\s*[^;]+;", re.S
)
STAMP = re.compile(r"auto-generated on (\d{4}-\d\d-\d\d)")


def doc_text(block: str) -> str:
    """A ``/** ... */`` block's text: each line without its indent and leading ``*``."""
    lines = [re.sub(r"^\*(?: |$)", "", line.strip()) for line in block.strip().splitlines()]
    return "\n".join(lines).strip()


def read_sdk_type(text: str) -> dict[str, Any]:
    match = HEADER.search(text)
    if match is None:
        raise ValueError("no Params type")
    head = doc_text(match["head"]).splitlines()
    perm_line = next(i for i, line in enumerate(head) if line.startswith("Permissions required:"))
    arguments = [
        {
            "name": field["name"],
            "required": field["opt"] is None,
            "description": doc_text(field["doc"] or ""),
        }
        for field in FIELD.finditer(match["body"])
    ]
    stamp = STAMP.search(head[0])
    return {
        "name": head[1].strip(),
        "description": "\n".join(head[2:perm_line]).strip(),
        "perms": head[perm_line].split(":", 1)[1].strip(),
        "arguments": arguments,
        "date": stamp.group(1) if stamp else None,
    }


def read_sdk(tarball: Path) -> tuple[dict[str, dict[str, Any]], re.Pattern[str], set[str]]:
    methods: dict[str, dict[str, Any]] = {}
    dates: set[str] = set()
    post: re.Pattern[str] | None = None
    with tarfile.open(tarball) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            name = member.name
            if name == "package/dist/index.js":
                js = _member_text(tar, member)
                found = re.search(r"var POST_REGEXP = /(.+)/;", js)
                post = re.compile(found.group(1)) if found else None
            if not re.fullmatch(
                r"package/dist/services/rest/flickr\.[\w.]+(?<!response)\.d\.ts", name
            ):
                continue
            entry = read_sdk_type(_member_text(tar, member))
            dates.add(entry.pop("date") or "")
            methods[entry["name"]] = entry
    if post is None:
        raise ValueError("flickr-sdk: POST_REGEXP not found in dist/index.js")
    return methods, post, dates


def _member_text(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    handle = tar.extractfile(member)
    if handle is None:
        raise ValueError(f"{member.name}: not a file")
    return handle.read().decode("utf-8")


# -- reading node-flickrapi and python-flickr-api --------------------------------------------


def read_pomax(tarball: Path) -> dict[str, dict[str, Any]]:
    """``Flickr.methods = {...};`` from the dev browser build: a JSON object literal."""
    with tarfile.open(tarball) as tar:
        js = _member_text(tar, tar.getmember("package/browser/flickrapi.dev.js"))
    start = js.index(" Flickr.methods = ") + len(" Flickr.methods = ")
    end = js.index("\n};\n", start) + 2
    data: dict[str, dict[str, Any]] = json.loads(js[start:end])
    return data


def read_pyapi(wheel: Path) -> dict[str, dict[str, Any]]:
    """``__methods__ = {...}`` from python-flickr-api: a Python literal, read with ast."""
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read("flickr_api/methods.py").decode("utf-8")
    data: dict[str, dict[str, Any]] = ast.literal_eval(source.split("=", 1)[1].strip())
    return data


def own_errors(errors: list[dict[str, Any]], text_key: str) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for error in errors:
        code = int(error["code"])
        if code in GLOBAL_CODES or code in seen:
            continue
        seen[code] = {
            "code": code,
            "message": str(error.get("message", "")).strip(),
            "description": str(error.get(text_key, "")).strip(),
        }
    return [seen[code] for code in sorted(seen)]


def flag(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true")


# -- merging ------------------------------------------------------------------------------------


def merge(
    name: str,
    sdk: dict[str, Any] | None,
    post: re.Pattern[str],
    pomax: dict[str, Any] | None,
    pyapi: dict[str, Any] | None,
) -> dict[str, Any]:
    sources: dict[str, str] = {}
    entry: dict[str, Any] = {"name": name}
    if sdk is not None:
        entry.update(description=sdk["description"], perms=sdk["perms"])
        entry["arguments"] = sdk["arguments"]
        entry["post"] = bool(post.match(name))
        sources.update(description="flickr-sdk", arguments="flickr-sdk", perms="flickr-sdk")
        sources["post"] = "flickr-sdk"
    elif pomax is not None:
        entry["description"] = str((pyapi or {}).get("description", "")).strip()
        entry["perms"] = PERMS[int(pomax["security"]["requiredperms"])]
        entry["arguments"] = [
            {"name": a["name"], "required": kind == "required", "description": a["_content"]}
            for kind in ("required", "optional")
            for a in pomax.get(kind, [])
            if a["name"] != "api_key"
        ]
        entry["post"] = False
        sources.update(description="flickr-api", arguments="flickrapi", perms="flickrapi")
        sources["post"] = "none"
    _auth_and_errors(entry, sources, pomax, pyapi)
    example = (pyapi or {}).get("response")
    entry["example"] = example.strip() if isinstance(example, str) and example.strip() else None
    sources["example"] = "flickr-api" if entry["example"] is not None else "none"
    entry["sources"] = sources
    return entry


def _auth_and_errors(
    entry: dict[str, Any],
    sources: dict[str, str],
    pomax: dict[str, Any] | None,
    pyapi: dict[str, Any] | None,
) -> None:
    if pomax is not None:
        security = pomax["security"]
        entry["needs_login"] = flag(security["needslogin"])
        entry["needs_signing"] = flag(security["needssigning"])
        entry["errors"] = own_errors(pomax.get("errors", []), "_content")
        sources.update(auth="flickrapi", errors="flickrapi")
    elif pyapi is not None:
        entry["needs_login"] = flag(pyapi.get("needslogin"))
        entry["needs_signing"] = flag(pyapi.get("needssigning"))
        entry["errors"] = own_errors(pyapi.get("errors", []), "text")
        sources.update(auth="flickr-api", errors="flickr-api")
    else:
        entry.update(needs_login=None, needs_signing=None, errors=[])
        sources.update(auth="none", errors="none")


# -- the file -----------------------------------------------------------------------------------


def build(cache: Path) -> dict[str, Any]:
    sdk_tgz, sdk_meta = npm_pack(SDK, cache)
    pomax_tgz, pomax_meta = npm_pack(POMAX, cache)
    wheel, pyapi_meta = pip_download(PYAPI, cache)
    sdk, post, sdk_dates = read_sdk(sdk_tgz)
    pomax, pyapi = read_pomax(pomax_tgz), read_pyapi(wheel)
    names = sorted(set(sdk) | set(pomax) | set(pyapi))
    methods = {
        name: merge(name, sdk.get(name), post, pomax.get(name), pyapi.get(name)) for name in names
    }
    return {
        "format": 1,
        "generated_by": "tools/make_catalogue.py",
        "sources": _source_table(sdk_meta, sorted(sdk_dates), pomax_meta, pyapi_meta),
        "methods": methods,
    }


def _source_table(
    sdk_meta: dict[str, str],
    sdk_dates: list[str],
    pomax_meta: dict[str, str],
    pyapi_meta: dict[str, str],
) -> dict[str, Any]:
    return {
        "flickr-sdk": dict(
            SDK,
            integrity=sdk_meta["integrity"],
            date=sdk_dates[-1] if sdk_dates else None,
            date_basis="'auto-generated on' stamp of the per-method type files",
            published=sdk_meta["published"],
            files="dist/services/rest/flickr.*.d.ts, dist/index.js (POST_REGEXP)",
        ),
        "flickrapi": dict(
            POMAX,
            integrity=pomax_meta["integrity"],
            date=pomax_meta["published"] or None,
            date_basis="publish time the npm registry reported",
            published=pomax_meta["published"],
            files="browser/flickrapi.dev.js (Flickr.methods)",
        ),
        "flickr-api": dict(
            PYAPI,
            sha256=pyapi_meta["sha256"],
            date=None,
            date_basis="not stated: the wheel's file times are normalised",
            files="flickr_api/methods.py (__methods__)",
        ),
        "none": {"name": "none", "note": "no fetched source has this field for the method"},
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "catalogue")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file would change")
    args = parser.parse_args(argv)
    text = render(build(args.cache))
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if args.check:
        print("up to date" if text == current else f"{OUTPUT.name} would change")
        return 0 if text == current else 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    methods = json.loads(text)["methods"]
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(methods)} methods")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
