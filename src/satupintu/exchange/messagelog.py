"""The message log: every exchange message signed (detached JWS, Ed25519) and hash-chained.

Appends are serialised through the single :class:`LogHead` row (on PostgreSQL a conditional
update of it in the same statement as the insert, else ``SELECT ... FOR UPDATE``; SQLite serialises
writers itself), so concurrent gateway workers never fork the chain (ADR 0105). Records are
written and committed *before* the gateway answers (see ``gateway.py``).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import struct
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import rfc8785
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import OKPKey

from satupintu.audit.actions import mask_nik
from satupintu.core.models import GENESIS_HASH
from satupintu.exchange import keys
from satupintu.exchange.models import DataAccess, LogHead, MessageLog

log = logging.getLogger(__name__)
ALG = "Ed25519"  # RFC 9864 fully-specified EdDSA algorithm name
# joserfc's registry restricted to ALG, built once (``algorithms=[ALG]`` would build one per call).
_REGISTRY = jws.JWSRegistry(algorithms=[ALG])


def chain_hash(prev_hash: str, canonical: dict[str, Any]) -> str:
    """``hex(SHA-256(bytes.fromhex(prev_hash) || JCS(canonical)))`` (JCS: RFC 8785)."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + rfc8785.dumps(canonical)).hexdigest()


def sign(canonical: dict[str, Any]) -> str:
    """Detached compact JWS (RFC 7515 Appendix F): ``header..signature`` over JCS(canonical)."""
    return _sign_payload(rfc8785.dumps(canonical), keys.signing_key())


def _sign_payload(payload: bytes, key: OKPKey) -> str:
    value = jws.serialize_compact({"alg": ALG, "kid": key.kid}, payload, key, registry=_REGISTRY)
    return jws.detach_content(value)


def verify_signature(signature: str, canonical: dict[str, Any], public_key: OKPKey) -> bool:
    """True when the detached JWS ``signature`` is valid for JCS(canonical) under ``public_key``."""
    try:
        jws.deserialize_compact(signature, public_key, payload=rfc8785.dumps(canonical), registry=_REGISTRY)
    except Exception:  # joserfc raises BadSignatureError, DecodeError, ...
        return False
    return True


@dataclass
class Message:
    """What the gateway knows about one message when it logs it."""

    request_id: str
    started_at: datetime
    client: str
    service: str
    method: str
    path: str
    status: int
    error: str = ""
    user_id: str = ""
    issue: str = ""
    duration_ms: float = 0.0
    backend_ms: float | None = None
    request_size: int = 0
    response_size: int = 0
    request_sha256: str = hashlib.sha256(b"").hexdigest()
    response_sha256: str = hashlib.sha256(b"").hexdigest()
    request_body: bytes | None = None  # plain; encrypted here when the service stores bodies
    response_body: bytes | None = None
    data_access: dict[str, Any] | None = field(default=None)


_HEAD = LogHead._meta.db_table
_LOG = MessageLog._meta.db_table
_ACCESS = DataAccess._meta.db_table
_LOG_FIELDS = list(MessageLog._meta.concrete_fields)
_ACCESS_FIELDS = [f for f in DataAccess._meta.concrete_fields if not f.primary_key]
_LOG_COLUMNS = ", ".join(connection.ops.quote_name(f.column) for f in _LOG_FIELDS)
_ACCESS_COLUMNS = ", ".join(connection.ops.quote_name(f.column) for f in _ACCESS_FIELDS)


def _read_head(*, lock: bool) -> tuple[int, str]:
    """Read the chain head (with ``lock`` on PostgreSQL: ``FOR UPDATE``, held until commit); create
    it on first use."""
    suffix = " FOR UPDATE" if lock and connection.vendor == "postgresql" else ""
    sql = f"SELECT last_seq, last_hash FROM {_HEAD} WHERE id = 1{suffix}"  # noqa: S608 - constant
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            LogHead.objects.get_or_create(id=1)
            cursor.execute(sql)
            row = cursor.fetchone()
    return int(row[0]), str(row[1])


class _Slot:
    """One message waiting for the group commit, and its outcome."""

    __slots__ = ("message", "done", "result", "error")

    def __init__(self, message: Message) -> None:
        self.message = message
        self.done = False
        self.result: MessageLog | None = None
        self.error: BaseException | None = None


_queue: list[_Slot] = []
_queue_lock = threading.Lock()
_writer_lock = threading.Lock()
# PostgreSQL: the head this process wrote last (a guess, always checked by the write itself).
_head_hint: tuple[int, str] | None = None


def append(message: Message) -> MessageLog:
    """Sign, chain and durably store one message (and its data-access record, if any); return
    only after the transaction holding it has committed.

    Group commit: messages arriving while another thread of this process is committing, or while
    this process waits for its turn in the host queue (another process is writing), are written
    together in the next transaction (one durable commit for several messages), so throughput is
    not bounded by one fsync per message. Inside an outer ``atomic`` block the
    message is written in that block instead (it commits or rolls back with the caller).

    On PostgreSQL the batch is one statement in its own transaction (one round trip, ADR 0105):
    it moves the head from the (seq, hash) this process last wrote to the batch's last record only
    if the head still holds exactly that, and inserts the records only then; if another process
    appended in between, the batch is re-chained once after the head as read then, and if that
    also missed, under ``SELECT ... FOR UPDATE`` of the head.

    ``message.user_id`` is stored masked (a NIK keeps its first and last four digits);
    ``data_access`` (keys of :class:`DataAccess` except ``message``) is stored with this record.
    Raises whatever the database or the key loading raised; then nothing of the batch is stored.
    """
    if connection.in_atomic_block:
        return _write_locked([message])[0]
    slot = _Slot(message)
    with _queue_lock:
        _queue.append(slot)
    with _writer_lock:
        if not slot.done:
            # The batch is taken once this process's turn in the host queue has come, so it also
            # holds every message that arrived while another process was writing.
            batch: list[_Slot] = []
            try:
                with _host_queue() as queue:
                    batch = _take_queue()
                    results = _write_batch([s.message for s in batch], queue)
            except BaseException as exc:
                for s in batch or _take_queue():
                    s.error, s.done = exc, True
            else:
                for s, entry in zip(batch, results, strict=True):
                    s.result, s.done = entry, True
    if slot.error is not None:
        raise slot.error
    assert slot.result is not None
    return slot.result


def _take_queue() -> list[_Slot]:
    """Empty the process's queue of waiting messages; return them in arrival order."""
    with _queue_lock:
        batch = _queue[:]
        _queue.clear()
    return batch


def _write_batch(messages: list[Message], queue: _Queue) -> list[MessageLog]:
    """Write a batch outside any transaction (called under ``_writer_lock``, holding the host
    ``queue``). If the database
    connection turns out to be dead (the server restarted or dropped it; the gateway role runs
    without Django's per-request health check), close it and write once more on a new one. A write
    that did commit before the connection broke is not duplicated: the retry chains after the real
    head and the unique ``request_id`` refuses a second copy (the caller then answers 500)."""
    try:
        return _write_batch_once(messages, queue)
    except DatabaseError:
        if connection_alive():
            raise
        log.warning("exchange message log: the database connection was lost; writing again on a new one")
        connection.close()
        return _write_batch_once(messages, queue)


def connection_alive() -> bool:
    """Whether this thread's database connection still answers ``SELECT 1`` (False when there is
    none). The gateway role runs without Django's per-request connection checks, so the gateway's
    own reads and writes use this after a database error to tell a dead connection from a bad query."""
    raw = connection.connection
    if raw is None:
        return False
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
    except Exception:
        return False
    return True


def _write_batch_once(messages: list[Message], queue: _Queue) -> list[MessageLog]:
    """One attempt of :func:`_write_batch`, holding the host ``queue`` (:func:`_host_queue`), on
    the driver's own cursor (:func:`_driver_cursor`)."""
    global _head_hint
    if connection.vendor == "postgresql":
        # The head the host's last writer left (exact unless another host or an in-transaction
        # append wrote since), else this process's own last head, then the head as read now.
        for guess in dict.fromkeys((queue.hint or _head_hint, None)):
            expected = guess or _read_head(lock=False)
            entries, accesses = _chain(messages, *expected)
            with _driver_cursor() as cursor:
                moved = _insert_if_head(cursor, entries, accesses, expected=expected)  # autocommit
            if moved:
                _head_hint = (entries[-1].seq, entries[-1].hash)
                queue.store(*_head_hint)
                return entries
        _head_hint = None
        with transaction.atomic():
            entries = _write_locked(messages)
        _head_hint = (entries[-1].seq, entries[-1].hash)
    else:
        entries = _write_sqlite(messages)
    queue.store(entries[-1].seq, entries[-1].hash)
    return entries


@contextlib.contextmanager
def _driver_cursor() -> Iterator[Any]:
    """A cursor of the database driver itself (sqlite3, psycopg) on Django's connection for this
    thread, opened if needed; driver errors are raised as Django's (``wrap_database_errors``).

    The queued writer runs a handful of fixed statements per batch; Django's cursor wrapper and
    ``atomic`` cost about as much CPU as the statements themselves on SQLite (ADR 0123)."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


def _write_sqlite(messages: list[Message]) -> list[MessageLog]:
    """SQLite, outside any transaction: in one ``BEGIN IMMEDIATE`` transaction (SQLite's write
    lock, which serialises writers of every process), read the head, chain ``messages`` after it,
    insert them and their data-access records, move the head, commit. On any error the transaction
    is rolled back and the error raised."""
    sql = _sqlite_statements()
    with _driver_cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        try:
            cursor.execute(sql["head"])
            row = cursor.fetchone()
            if row is None:  # first message ever: the head row starts at the genesis hash
                cursor.execute(sql["create_head"], [0, GENESIS_HASH])
                row = (0, GENESIS_HASH)
            entries, accesses = _chain(messages, int(row[0]), str(row[1]))
            cursor.executemany(sql["log"], [_values(entry, _LOG_FIELDS) for entry in entries])
            if accesses:
                cursor.executemany(sql["access"], [_values(access, _ACCESS_FIELDS) for access in accesses])
            cursor.execute(sql["move_head"], [entries[-1].seq, entries[-1].hash])
            cursor.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):  # a broken connection cannot roll back; it is replaced
                cursor.execute("ROLLBACK")
            raise
    return entries


@functools.cache
def _sqlite_statements() -> dict[str, str]:
    """The SQLite writer's statements (qmark parameters; names from our models)."""
    return {
        "head": f"SELECT last_seq, last_hash FROM {_HEAD} WHERE id = 1",  # noqa: S608 - constant
        "create_head": f"INSERT INTO {_HEAD} (id, last_seq, last_hash) VALUES (1, ?, ?)",  # noqa: S608
        "log": f"INSERT INTO {_LOG} ({_LOG_COLUMNS}) VALUES ({', '.join('?' * len(_LOG_FIELDS))})",  # noqa: S608
        "access": (f"INSERT INTO {_ACCESS} ({_ACCESS_COLUMNS}) "  # noqa: S608
                   f"VALUES ({', '.join('?' * len(_ACCESS_FIELDS))})"),
        "move_head": f"UPDATE {_HEAD} SET last_seq = ?, last_hash = ? WHERE id = 1",  # noqa: S608
    }


class _Queue:
    """The host-wide writer queue while held: the head its last holder stored (a hint only)."""

    _HINT = struct.Struct("<q64s")

    def __init__(self, fd: int | None) -> None:
        self.fd = fd
        self.hint: tuple[int, str] | None = None
        if fd is not None:
            raw = os.pread(fd, self._HINT.size, 0)
            if len(raw) == self._HINT.size:
                seq, digest = self._HINT.unpack(raw)
                self.hint = (seq, digest.decode("ascii", "replace"))

    def store(self, seq: int, last_hash: str) -> None:
        if self.fd is not None:
            os.pwrite(self.fd, self._HINT.pack(seq, last_hash.encode("ascii")), 0)


_queue_files: dict[str, int] = {}
# A forked worker must open its own file: a descriptor inherited from the parent shares the parent's
# lock (flock locks belong to the open file description), so it would not exclude the siblings.
os.register_at_fork(after_in_child=_queue_files.clear)


@functools.lru_cache(maxsize=16)
def _queue_path(vendor: str, name: str, host: str, port: str, var_dir: str) -> str:
    """The queue file of a database ("" for an in-memory SQLite one)."""
    if vendor == "sqlite":
        return "" if name in ("", ":memory:") or name.startswith("file:") else name + ".exchange-log.lock"
    where = f"{vendor}:{host}:{port}:{name}"
    return str(Path(var_dir) / f"exchange-log-{hashlib.sha256(where.encode()).hexdigest()[:16]}.lock")


@contextlib.contextmanager
def _host_queue() -> Iterator[_Queue]:
    """Queue the log writers of all processes on this host with ``flock`` on one file per
    database (in ``VAR_DIR``, or beside an SQLite file), held for the whole batch write (ADR 0113).

    * SQLite's busy handler makes a writer that finds the database locked *sleep* (1, 2, 5, 10 ms
      ...), far longer than the ~0.1 ms another gateway process holds it; ``flock`` wakes the next
      writer as soon as the lock is released.
    * On PostgreSQL the file also carries the head its last holder wrote, so the one-statement
      conditional append (``_insert_if_head``) hits on the first try instead of missing whenever
      another process of the host wrote in between.

    Correctness never depends on it: SQLite's write lock and PostgreSQL's conditional update (then
    ``FOR UPDATE``) still serialise the chain, also across hosts. A no-op for in-memory SQLite
    databases (one process) or when the lock file cannot be opened."""
    from django.conf import settings

    path = _queue_path(connection.vendor, str(connection.settings_dict.get("NAME") or ""),
                       str(connection.settings_dict.get("HOST") or ""), str(connection.settings_dict.get("PORT") or ""),
                       str(settings.VAR_DIR))
    fd = _queue_files.get(path) if path else None
    if path and fd is None:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            log.warning("exchange message log: cannot open the writer queue file %s", path, exc_info=True)
        else:
            _queue_files[path] = fd
    if fd is None:
        yield _Queue(None)
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield _Queue(fd)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _write_locked(messages: list[Message]) -> list[MessageLog]:
    """Inside a transaction: lock the head, chain ``messages`` after it, store them."""
    last_seq, last_hash = _read_head(lock=True)
    entries, accesses = _chain(messages, last_seq, last_hash)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if not _insert_if_head(cursor, entries, accesses, expected=(last_seq, last_hash)):
                raise RuntimeError("message log head moved while locked")  # cannot happen under FOR UPDATE
        return entries
    with connection.cursor() as cursor:
        for entry in entries:
            cursor.execute(f"INSERT INTO {_LOG} ({_LOG_COLUMNS}) VALUES ({_marks(_LOG_FIELDS)})",  # noqa: S608
                           _values(entry, _LOG_FIELDS))
        for access in accesses:
            cursor.execute(f"INSERT INTO {_ACCESS} ({_ACCESS_COLUMNS}) VALUES ({_marks(_ACCESS_FIELDS)})",  # noqa: S608
                           _values(access, _ACCESS_FIELDS))
        cursor.execute(f"UPDATE {_HEAD} SET last_seq = %s, last_hash = %s WHERE id = 1",  # noqa: S608
                       [entries[-1].seq, entries[-1].hash])
    return entries


def _insert_if_head(cursor: Any, entries: list[MessageLog], accesses: list[DataAccess], *,
                    expected: tuple[int, str]) -> bool:
    """PostgreSQL: in one statement on ``cursor`` (Django's or the driver's), move the head from
    ``expected`` to the last entry and insert ``entries`` and ``accesses`` only if it moved; True
    when it did."""
    params: list[Any] = [entries[-1].seq, entries[-1].hash, expected[0], expected[1]]
    for entry in entries:
        params += _values(entry, _LOG_FIELDS)
    for access in accesses:
        params += _values(access, _ACCESS_FIELDS)
    cursor.execute(_conditional_append_sql(len(entries), len(accesses)), params)
    (moved,) = cursor.fetchone()
    return bool(moved)


@functools.lru_cache(maxsize=64)
def _conditional_append_sql(entries: int, accesses: int) -> str:
    """The statement of :func:`_insert_if_head` for a batch of this shape. Table and column names
    come from our models; every value is a bound parameter; each row is its own
    ``INSERT ... SELECT ... FROM head`` so the column types come from the table."""
    parts = [f"WITH head AS (UPDATE {_HEAD} SET last_seq = %s, last_hash = %s "  # noqa: S608
             "WHERE id = 1 AND last_seq = %s AND last_hash = %s RETURNING id)"]
    for i in range(entries):
        parts.append(f", m{i} AS (INSERT INTO {_LOG} ({_LOG_COLUMNS}) SELECT {_marks(_LOG_FIELDS)} "  # noqa: S608
                     "FROM head)")
    for i in range(accesses):
        parts.append(f", a{i} AS (INSERT INTO {_ACCESS} ({_ACCESS_COLUMNS}) "  # noqa: S608
                     f"SELECT {_marks(_ACCESS_FIELDS)} FROM head)")
    parts.append(" SELECT count(*) FROM head")
    return "".join(parts)


def _marks(fields: list[Any]) -> str:
    return ", ".join(["%s"] * len(fields))


# Plain text and number columns go to the driver as they are; the others (date-times, bytes, JSON)
# through the field's own database preparation.
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.FloatField)


# Per field list: (attribute name, the field when its value needs the field's database preparation).
_PLANS: dict[int, list[tuple[str, Any]]] = {}


def _values(obj: MessageLog | DataAccess, fields: list[Any]) -> list[Any]:
    plan = _PLANS.get(id(fields))
    if plan is None:
        plan = _PLANS[id(fields)] = [
            (f.attname, None if isinstance(f, _PLAIN) and not f.is_relation else f) for f in fields]
    values = obj.__dict__
    return [values[name] if field is None else field.get_db_prep_save(values[name], connection)
            for name, field in plan]


def _chain(messages: list[Message], last_seq: int, last_hash: str) -> tuple[list[MessageLog], list[DataAccess]]:
    """The signed, chained records for ``messages`` after (``last_seq``, ``last_hash``), and their
    data-access records."""
    entries: list[MessageLog] = []
    accesses: list[DataAccess] = []
    for message in messages:
        entry = _entry(message, last_seq, last_hash)
        if message.data_access is not None:
            accesses.append(DataAccess(message_id=entry.seq, occurred_at=entry.logged_at,
                                       request_id=entry.request_id, **message.data_access))
        last_seq, last_hash = entry.seq, entry.hash
        entries.append(entry)
    return entries, accesses


def _entry(message: Message, last_seq: int, last_hash: str) -> MessageLog:
    aad = message.request_id.encode()
    key = keys.signing_key()
    entry = MessageLog(
        seq=last_seq + 1,
        request_id=message.request_id,
        logged_at=timezone.now(),
        started_at=message.started_at,
        client=message.client[:300],
        service=message.service[:300],
        method=message.method[:16],
        path=message.path[:2000],
        status=message.status,
        error=message.error[:100],
        user_id=mask_nik(message.user_id)[:100],
        issue=message.issue[:200],
        duration_ms=message.duration_ms,
        backend_ms=message.backend_ms,
        request_size=message.request_size,
        response_size=message.response_size,
        request_sha256=message.request_sha256,
        response_sha256=message.response_sha256,
        request_body=None if message.request_body is None else keys.encrypt_body(message.request_body, aad=aad),
        response_body=None if message.response_body is None else keys.encrypt_body(message.response_body, aad=aad),
        key_id=key.kid or "",
        prev_hash=last_hash,
    )
    payload = rfc8785.dumps(entry.canonical_fields())  # serialised once for the hash and the signature
    entry.hash = hashlib.sha256(bytes.fromhex(entry.prev_hash) + payload).hexdigest()
    entry.signature = _sign_payload(payload, key)
    return entry


@dataclass
class VerifyResult:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(records: Iterable[MessageLog], public_keys: OKPKey | Iterable[OKPKey]) -> VerifyResult:
    """Check that ``records`` (in ``seq`` order, starting at seq 1) form an unbroken chain and
    that every signature verifies under the key named by the record's ``key_id`` (the RFC 7638
    thumbprint), chosen among ``public_keys`` (one key, or several across rotations). A record
    signed by a key that is not given is a problem. Returns the count and the problems."""
    given = [public_keys] if isinstance(public_keys, OKPKey) else list(public_keys)
    by_kid = {key.thumbprint(): key for key in given}
    result = VerifyResult()
    prev = GENESIS_HASH
    expected_seq = 1
    for entry in records:
        canonical = entry.canonical_fields()
        if entry.seq != expected_seq:
            result.problems.append(f"#{entry.seq}: expected sequence {expected_seq} (records missing)")
        if entry.prev_hash != prev:
            result.problems.append(f"#{entry.seq}: prev_hash does not match the previous record's hash")
        if chain_hash(entry.prev_hash, canonical) != entry.hash:
            result.problems.append(f"#{entry.seq}: hash does not match the record (altered)")
        key = by_kid.get(entry.key_id)
        if key is None:
            result.problems.append(f"#{entry.seq}: signed with key {entry.key_id!r}, which is not among the keys given")
        elif not verify_signature(entry.signature, canonical, key):
            result.problems.append(f"#{entry.seq}: signature is not valid")
        prev = entry.hash
        expected_seq = entry.seq + 1
        result.checked += 1
    head = LogHead.objects.filter(id=1).first()
    if head is not None and head.last_seq != expected_seq - 1:
        result.problems.append(f"head says #{head.last_seq} but the log ends at #{expected_seq - 1}")
    return result


def export_lines(records: Iterable[MessageLog]) -> Iterator[dict[str, Any]]:
    """Export rows: the canonical fields plus ``hash`` and ``signature`` (no bodies)."""
    for entry in records:
        yield {**entry.canonical_fields(), "hash": entry.hash, "signature": entry.signature}
