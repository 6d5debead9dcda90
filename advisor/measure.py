"""Measure a workload's profile from gateway request logs (field guide Part 0:
"An LCPR model built on six assumptions is a hypothesis; one built on six
measurements is a budget").

    m = measure_logs(["spend.json"])          # streamed: one pass, memory bounded (see below)
    changes = profile_answers(m, "…")         # profile.* answers, confidence: measured, a note each
    update_answers(path, changes)             # advisor.reconcile: round-trip, comments kept, atomic

Formats, detected from the content (docs/measure.md):

* LiteLLM spend logs, exported as JSON (an array, or ``{"data": [...]}``), as
  JSON lines, or as CSV: ``request_id``, ``startTime``, ``prompt_tokens``,
  ``completion_tokens``, ``status``, ``cache_hit``, ``metadata``;
* OpenAI-style response bodies with ``usage`` (chat completions and the
  Responses API), one per line, also wrapped as in Batch output
  (``{"custom_id": ..., "response": {"body": {...}}}``);
* anything else through a column mapping (``--map input_tokens=tok_in``).

Memory: token percentiles come from exact histograms (one counter per distinct
token count), traffic from one counter per minute of the window, repeated
request ids from 8 bytes per record: nothing keeps a record.
"""

from __future__ import annotations

import array
import csv
import datetime as dt
import io
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from advisor.errors import AdvisorError, Problem

FIELDS = ("timestamp", "request_id", "input_tokens", "output_tokens", "cached_tokens", "attempt", "retries", "passed", "status")

# Where each format keeps each field (first present wins); dotted paths reach into nested objects.
LITELLM = {
    "timestamp": ("startTime", "start_time", "endTime"),
    "request_id": ("request_id",),
    "input_tokens": ("prompt_tokens",),
    "output_tokens": ("completion_tokens",),
    "cached_tokens": ("metadata.usage_object.prompt_tokens_details.cached_tokens",
                      "metadata.additional_usage_values.cache_read_input_tokens",
                      "metadata.usage_object.cache_read_input_tokens"),
    "attempt": (),
    "retries": ("metadata.attempted_retries", "attempted_retries"),
    "passed": ("metadata.validation", "validation", "passed"),
    "status": ("status",),
}
OPENAI = {
    "timestamp": ("created", "created_at", "response.body.created", "response.body.created_at"),
    "request_id": ("custom_id", "request_id", "metadata.request_id"),
    "input_tokens": ("usage.prompt_tokens", "usage.input_tokens", "response.body.usage.prompt_tokens", "response.body.usage.input_tokens"),
    "output_tokens": ("usage.completion_tokens", "usage.output_tokens", "response.body.usage.completion_tokens", "response.body.usage.output_tokens"),
    "cached_tokens": ("usage.prompt_tokens_details.cached_tokens", "usage.input_tokens_details.cached_tokens",
                      "response.body.usage.prompt_tokens_details.cached_tokens", "response.body.usage.input_tokens_details.cached_tokens"),
    "attempt": ("attempt", "metadata.attempt"),
    "retries": ("retries", "metadata.retries"),
    "passed": ("validation", "passed", "metadata.validation"),
    "status": ("response.status_code", "status"),
}
def _compile(mapping: dict[str, tuple[str, ...]]) -> dict[str, tuple[tuple[str, ...], ...]]:
    return {k: tuple(tuple(p.split(".")) for p in v) for k, v in mapping.items()}


_LITELLM, _OPENAI = _compile(LITELLM), _compile(OPENAI)
FORMAT_NAMES = {"litellm": "LiteLLM spend logs", "openai": "OpenAI usage records", "mapped": "mapped columns"}


class RepeatedIds:
    """Counts request ids seen before, exactly, in bounded memory.

    Each id's 64-bit hash goes to one of BUCKETS temporary files by its top
    bits (small buffers in memory); a repeated id always lands in the same
    bucket, so the buckets are de-duplicated one at a time at the end. Memory:
    the buffers plus one bucket (1/BUCKETS of 8 bytes a record).
    """

    BUCKETS = 256
    BUFFER = 4096

    def __init__(self) -> None:
        self.seen = 0
        self._buffers = [array.array("q") for _ in range(self.BUCKETS)]
        self._dir: Any = None
        self._files: dict[int, Any] = {}

    def add(self, rid: Any) -> None:
        h = hash(str(rid))
        b = self._buffers[(h >> 56) % self.BUCKETS]
        b.append(h)
        self.seen += 1
        if len(b) >= self.BUFFER:
            self._flush((h >> 56) % self.BUCKETS)

    def _flush(self, i: int) -> None:
        import tempfile

        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="advisor-measure-")
        fh = self._files.get(i)
        if fh is None:
            fh = self._files[i] = open(Path(self._dir.name) / f"{i}.bin", "w+b")
        self._buffers[i].tofile(fh)
        del self._buffers[i][:]

    def repeated(self) -> int:
        import numpy as np

        try:
            dups = 0
            for i in range(self.BUCKETS):
                parts = [np.frombuffer(self._buffers[i], dtype=np.int64)] if self._buffers[i] else []
                fh = self._files.get(i)
                if fh is not None:
                    fh.seek(0)
                    parts.append(np.fromfile(fh, dtype=np.int64))
                if parts:
                    a = np.concatenate(parts) if len(parts) > 1 else parts[0]
                    dups += int(a.size - np.unique(a).size)
            return dups
        finally:
            for fh in self._files.values():
                fh.close()
            if self._dir is not None:
                self._dir.cleanup()


@dataclass
class Stats:
    """Running totals over every record read (no record is kept)."""

    records: int = 0
    skipped: int = 0
    failed: int = 0
    retry_attempts: int = 0       # records that are a retry (attempt > 1)
    retries_reported: int = 0     # retries a record reports for itself (attempted_retries)
    input_tokens: Counter = field(default_factory=Counter)
    output_tokens: Counter = field(default_factory=Counter)
    input_total: float = 0.0
    output_total: float = 0.0
    cached_total: float = 0.0
    cached_seen: bool = False
    validated: int = 0
    passed: int = 0
    first: float | None = None
    last: float | None = None
    minutes: Counter = field(default_factory=Counter)   # epoch minute -> tokens
    ids: RepeatedIds = field(default_factory=RepeatedIds)
    formats: Counter = field(default_factory=Counter)
    sources: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- reading


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if isinstance(obj, str) and obj[:1] == "{":  # LiteLLM CSV exports keep metadata as a JSON string
            try:
                obj = json.loads(obj)
            except ValueError:
                return None
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
        if obj is None:
            return None
    return obj


def _first(obj: dict, paths: Iterable[tuple[str, ...]]) -> Any:
    for p in paths:
        v = _get(obj, p)
        if v is not None and v != "":
            return v
    return None


def _number(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) and x >= 0 else None


def _epoch(v: Any) -> float | None:
    if v is None or v == "":
        return None
    x = _number(v)
    if x is not None:
        return x / 1000 if x > 1e11 else x  # milliseconds
    try:
        t = dt.datetime.fromisoformat(str(v).strip().replace(" ", "T", 1))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.timestamp()


def _truth(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, str):
        t = v.strip().lower()
        if t in ("true", "pass", "passed", "ok", "yes", "1", "valid"):
            return True
        if t in ("false", "fail", "failed", "no", "0", "invalid"):
            return False
    return None


def _kind(obj: dict) -> str:
    if "usage" in obj or isinstance(obj.get("response"), dict):
        return "openai"
    return "litellm"


def _feed(s: Stats, obj: Any, mapping: dict[str, tuple[str, ...]] | None) -> None:
    if not isinstance(obj, dict):
        s.skipped += 1
        return
    kind = "mapped" if mapping else _kind(obj)
    where = mapping or (_OPENAI if kind == "openai" else _LITELLM)
    inp = _number(_first(obj, where["input_tokens"]))
    out = _number(_first(obj, where["output_tokens"]))
    if inp is None and out is None:
        s.skipped += 1
        return
    s.formats[kind] += 1
    s.records += 1
    status = _first(obj, where["status"])
    if status is not None and (str(status).lower() in ("failure", "error", "failed") or (_number(status) or 0) >= 400):
        s.failed += 1
    inp, out = inp or 0.0, out or 0.0
    s.input_tokens[int(inp)] += 1
    s.output_tokens[int(out)] += 1
    s.input_total += inp
    s.output_total += out
    cached = _number(_first(obj, where["cached_tokens"]))
    if cached is not None:
        s.cached_seen = True
        s.cached_total += min(cached, inp)
    elif mapping is None and kind == "litellm" and _truth(obj.get("cache_hit")):
        s.cached_seen = True
        s.cached_total += inp  # a gateway cache hit serves every input token
    attempt = _number(_first(obj, where["attempt"]))
    retries = _number(_first(obj, where["retries"]))
    if attempt is not None and attempt > 1:
        s.retry_attempts += 1
    elif retries is not None:
        s.retries_reported += int(retries)
    else:
        rid = _first(obj, where["request_id"])
        if rid is not None:
            s.ids.add(rid)
    verdict = _truth(_first(obj, where["passed"]))
    if verdict is not None:
        s.validated += 1
        s.passed += verdict
    t = _epoch(_first(obj, where["timestamp"]))
    if t is not None:
        s.first = t if s.first is None else min(s.first, t)
        s.last = t if s.last is None else max(s.last, t)
        s.minutes[int(t // 60)] += inp + out


def _sniff(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"[":
        return "json"
    if text[:1] == b"{":
        first = text.split(b"\n", 1)[0]
        try:
            json.loads(first)
            return "jsonl"
        except ValueError:
            return "json"
    return "csv"


class _Counted:
    """A binary file that reports bytes read to a progress callback."""

    def __init__(self, fh, advance: Callable[[int], None]):
        self.fh = fh
        self.advance = advance

    def read(self, n: int = -1) -> bytes:
        b = self.fh.read(n)
        self.advance(len(b))
        return b

    def __iter__(self) -> Iterator[bytes]:
        for line in self.fh:
            self.advance(len(line))
            yield line


def _records(path: Path, advance: Callable[[int], None], problems: list[Problem]) -> Iterator[Any]:
    with path.open("rb") as raw:
        fmt = _sniff(raw.read(4096))
        raw.seek(0)
        fh = _Counted(raw, advance)
        if fmt == "jsonl":
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    problems.append(Problem(f"not JSON: {exc}", file=str(path), line=n))
                    if len(problems) >= 20:
                        return
        elif fmt == "json":
            import ijson

            try:
                raw.seek(0)
                start = raw.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
                raw.seek(0)
                prefix = "item" if start == b"[" else "data.item"
                yield from ijson.items(fh, prefix, use_float=True)
            except ijson.JSONError as exc:
                problems.append(Problem(f"not JSON: {exc}", file=str(path)))
        else:
            lines = (line.decode("utf-8-sig", errors="replace") for line in fh)
            try:
                yield from csv.DictReader(lines)
            except csv.Error as exc:
                problems.append(Problem(f"not CSV: {exc}", file=str(path)))


def parse_mapping(pairs: Iterable[str]) -> dict[str, tuple[str, ...]] | None:
    """``--map field=column`` pairs as a mapping (unmapped fields: not read). ValueError on a bad pair."""
    pairs = list(pairs)
    if not pairs:
        return None
    out: dict[str, tuple[str, ...]] = {f: () for f in FIELDS}
    for p in pairs:
        name, sep, column = p.partition("=")
        name = name.strip()
        if not sep or not column.strip() or name not in FIELDS:
            raise ValueError(f"'{p}' is not FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}")
        out[name] = (column.strip(),)
    if not out["input_tokens"] and not out["output_tokens"]:
        raise ValueError("map at least input_tokens or output_tokens")
    return _compile(out)


def measure_logs(paths: list[str | Path], mapping: dict | None = None, progress: Callable[[int], None] | None = None) -> Stats:
    """Stream every log once. Files that cannot be read, or hold no usable record, raise AdvisorError."""
    s = Stats()
    problems: list[Problem] = []
    advance = progress or (lambda n: None)
    for p in map(Path, paths):
        if not p.is_file():
            problems.append(Problem("log not found" if not p.exists() else "not a regular file", file=str(p)))
            continue
        before = s.records
        for obj in _records(p, advance, problems):
            _feed(s, obj, mapping)
        if s.records == before and not problems:
            problems.append(Problem("no usage record found (expected LiteLLM spend logs, OpenAI usage records, or --map columns)", file=str(p)))
        s.sources.append(p.name)
    if problems:
        raise AdvisorError(problems)
    return s


# ---------------------------------------------------------------- results


def _percentile(hist: Counter, q: float, zeros: int = 0) -> float:
    total = sum(hist.values()) + zeros
    if total == 0:
        return 0.0
    rank = max(1, math.ceil(q * total))
    if rank <= zeros:
        return 0.0
    seen = zeros
    for v in sorted(hist):
        seen += hist[v]
        if seen >= rank:
            return float(v)
    return float(max(hist))


def summary(s: Stats, hours_per_month: float) -> dict[str, Any]:
    """The measured profile and how it was measured (plain data)."""
    repeated = s.ids.repeated()
    retry_attempts = s.retry_attempts + repeated
    requests = s.records - retry_attempts
    retries = retry_attempts + s.retries_reported
    window = (s.last - s.first) if s.first is not None and s.last is not None else 0.0
    minutes_in_window = max(1, math.ceil(window / 60)) if window else len(s.minutes)
    zero_minutes = max(0, minutes_in_window - len(s.minutes))
    out: dict[str, Any] = {
        "records": s.records,
        "skipped": s.skipped,
        "failed": s.failed,
        "formats": dict(s.formats),
        "sources": s.sources,
        "window": {
            "start": dt.datetime.fromtimestamp(s.first, dt.timezone.utc).isoformat() if s.first is not None else None,
            "end": dt.datetime.fromtimestamp(s.last, dt.timezone.utc).isoformat() if s.last is not None else None,
            "days": round(window / 86400, 3),
        },
        "requests": requests,
        "requests_per_month": round(requests * hours_per_month * 3600 / window) if window > 0 else None,
        "input_tokens": {"mean": s.input_total / s.records, "p50": _percentile(s.input_tokens, 0.5), "p95": _percentile(s.input_tokens, 0.95)},
        "output_tokens": {"mean": s.output_total / s.records, "p50": _percentile(s.output_tokens, 0.5), "p95": _percentile(s.output_tokens, 0.95)},
        "retries": {"count": retries, "from_attempt_fields": s.retry_attempts + s.retries_reported, "from_repeated_ids": repeated,
                    "ids_checked": s.ids.seen},
        "retry_rate": retries / requests if requests > 0 else None,
        "cache_hit_rate": (s.cached_total / s.input_total if s.input_total else 0.0) if s.cached_seen else None,
        "quality_pass_rate": (s.passed / s.validated) if s.validated else None,
        "validated": s.validated,
        "tokens_per_minute": {
            "p50": _percentile(Counter(s.minutes.values()), 0.5, zero_minutes) if s.minutes else None,
            "peak": max(s.minutes.values()) if s.minutes else None,
            "minutes": minutes_in_window,
        },
    }
    return out


def profile_answers(m: dict, workload_index: int, when: dt.date | None = None) -> list[tuple[tuple, dict]]:
    """(location, answer) pairs for the workload's profile, each confidence: measured with its source and window."""
    day = (when or dt.date.today()).isoformat()
    fmt = ", ".join(FORMAT_NAMES.get(k, k) for k in m["formats"])
    w = m["window"]
    span = f"{w['start'][:16]} → {w['end'][:16]} UTC ({w['days']:g} days)" if w["start"] else "no timestamps"
    src = f"advisor measure {day}: {', '.join(m['sources'])} ({fmt}), {span}, {m['records']:,} records"
    base = ("workloads", workload_index, "profile")
    out: list[tuple[tuple, dict]] = []

    def put(name: str, value: Any, detail: str = "") -> None:
        out.append((base + (name,), {"value": value, "confidence": "measured", "note": src + (f"; {detail}" if detail else "")}))

    if m["requests_per_month"]:
        tpm = m["tokens_per_minute"]
        put("requests_per_month", max(1, int(m["requests_per_month"])),
            f"{m['requests']:,} requests scaled to a month; tokens/minute P50 {tpm['p50']:,.0f}, peak {tpm['peak']:,.0f}")
    for k in ("input_tokens", "output_tokens"):
        t = m[k]
        put(k, int(round(t["mean"])), f"mean {t['mean']:,.1f}, P50 {t['p50']:,.0f}, P95 {t['p95']:,.0f} per attempt")
    if m["retry_rate"] is not None:
        r = m["retries"]
        put("retry_rate", round(min(1.0, m["retry_rate"]), 4),
            f"{r['count']:,} retries ({r['from_attempt_fields']:,} from attempt fields, {r['from_repeated_ids']:,} repeated request ids)")
    if m["cache_hit_rate"] is not None:
        put("cache_hit_rate", round(m["cache_hit_rate"], 4), "cached input tokens / input tokens")
    if m["quality_pass_rate"]:
        put("quality_pass_rate", round(m["quality_pass_rate"], 4), f"{m['validated']:,} validated records")
    return out
