"""The one place that knows about WeasyPrint: HTML string in, PDF bytes out.

Swap the PDF engine by replacing this module; the rest of :mod:`advisor.report`
only calls :func:`html_to_pdf` and uses :class:`FetchPolicy`.

Security: WeasyPrint fetches every URL a document names (images, stylesheets,
fonts). The memo carries questionnaire text, so the fetcher here serves only
files inside the template folders it is given (and the exact ``data:`` URIs
the memo itself produced) and refuses everything else: ``file:///etc/passwd``,
``http://...``, a path that climbs out of the folder through ``..`` or a
symlink. Refusals are recorded, never raised to the reader.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname


class RefusedURL(ValueError):
    """A URL the memo will not fetch."""


@dataclass
class FetchPolicy:
    """Which URLs a render may read: files under ``roots`` and the listed data: URIs."""

    roots: list[Path]
    data_uris: set[str] = field(default_factory=set)
    log: list[tuple[str, str]] = field(default_factory=list)  # (url, "served" | "refused")

    def resolve(self, url: str) -> tuple[bytes, str]:
        """Return (body, mime type) for an allowed URL; raise RefusedURL otherwise."""
        if url in self.data_uris:
            import base64

            head, _, payload = url.partition(",")
            mime = head[5:].split(";")[0] or "text/plain"
            body = base64.b64decode(payload) if head.endswith(";base64") else unquote(payload).encode()
            self.log.append((url[:60], "served"))
            return body, mime
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            self.log.append((url, "refused"))
            raise RefusedURL(f"the memo does not fetch {url!r}")
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError):
            self.log.append((url, "refused"))
            raise RefusedURL(f"no such template file: {url!r}") from None
        # A filesystem root is never an allowed root, whatever a caller passed.
        roots = [r.resolve() for r in self.roots if r.resolve() != Path(r.resolve().anchor)]
        inside = any(path.is_relative_to(root) for root in roots)
        if not inside or not path.is_file():
            self.log.append((url, "refused"))
            raise RefusedURL(f"{url!r} is outside the template folder")
        self.log.append((url, "served"))
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return path.read_bytes(), mime

    @property
    def refused(self) -> list[str]:
        return [u for u, what in self.log if what == "refused"]

    @property
    def served(self) -> list[str]:
        return [u for u, what in self.log if what == "served"]


def _fetcher(policy: FetchPolicy):
    """A WeasyPrint URL fetcher enforcing ``policy`` (class API of WeasyPrint >= 68, else a function)."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher") and hasattr(urls, "URLFetcherResponse"):

        class _Guarded(urls.URLFetcher):
            def __init__(self) -> None:
                super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=False)

            def fetch(self, url, headers=None):  # noqa: ARG002 - WeasyPrint's signature
                body, mime = policy.resolve(url)
                return urls.URLFetcherResponse(url, body, {"Content-Type": mime})

        return _Guarded()

    def fetch(url: str) -> dict:  # WeasyPrint < 68
        body, mime = policy.resolve(url)
        return {"string": body, "mime_type": mime, "redirected_url": url}

    return fetch


def warm_up() -> None:
    """Import WeasyPrint ahead of :func:`html_to_pdf` (the memo does this while
    its charts are drawn in another process)."""
    import weasyprint  # noqa: F401


def html_to_pdf(html: str, *, base_dir: Path, policy: FetchPolicy, deterministic: bool = False) -> bytes:
    """Render ``html`` (relative URLs resolve against ``base_dir``) to PDF bytes."""
    import logging

    import weasyprint
    from weasyprint import HTML

    # A refused fetch is expected (and logged by the policy); keep WeasyPrint quiet about it.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=_fetcher(policy))

    known = set(getattr(weasyprint, "DEFAULT_OPTIONS", {}))
    options: dict = {}
    if "pdf_tags" in known:
        # A tagged PDF (structure tree, /MarkInfo, /Lang): screen readers follow the
        # headings, tables and lists; bookmarks come from the headings (h2, h3).
        # Not claimed as PDF/UA: the charts carry no alternative text in the tree.
        options["pdf_tags"] = True
    if not deterministic:
        return document.write_pdf(**options)
    # A fixed document identifier, and fontTools' font-subset timestamps taken
    # from SOURCE_DATE_EPOCH: the same memo gives the same bytes.
    options["pdf_identifier" if "pdf_identifier" in known else "identifier"] = b"advisor-memo"
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        return document.write_pdf(**options)
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
