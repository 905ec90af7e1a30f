"""Rasa's Redis lock store, made atomic across instances (PITFALLS 15, RasaHQ/rasa#9213).

Rasa OSS 3.6's `RedisLockStore` changes a conversation's ticket lock with a GET, a change in
Python and a SET. Two instances that do this at once both read the same lock: both issue
themselves the same ticket and run the person's turns at the same time (tracker events lost),
or one's clean-up deletes the lock the other is queued on (`LockError`: the turn is dropped).
Seen with two instances and ten concurrent messages for one person (tests/test_scale_out.py).

Here every change of a lock is one optimistic Redis transaction (WATCH the key, read, change,
MULTI/SET or DEL/EXEC, retried if another instance changed the key meanwhile), and the
clean-up (remove my ticket; delete the lock only if nobody else waits) is one such change.
The stored format is Rasa's own, so Rasa's waiting loop, expiry and `TicketLock` logic are
unchanged. Plain Redis (no Cluster), as Rasa's store.
"""
from __future__ import annotations

import json
from typing import Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    def _change(self, conversation_id: Text,
                change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]) -> T:
        """Apply `change` to the stored lock atomically: it gets the lock (or None) and returns
        the lock to store (None: delete it) and a value to return."""
        key = self.key_prefix + conversation_id

        def transaction(pipe) -> T:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new, value = change(lock)
            pipe.multi()
            if new is None or not new.tickets:
                pipe.delete(key)
            else:
                pipe.set(key, new.dumps())
            return value

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: Optional[TicketLock]):
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, change)
        except Exception as exc:  # as Rasa's: the caller handles LockError
            raise LockError(f"Error while acquiring lock. Error:\n{exc.__class__.__name__}") from exc

    def update_lock(self, conversation_id: Text) -> None:
        def change(lock: Optional[TicketLock]):
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def change(lock: Optional[TicketLock]):
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """My ticket gone, and the lock with it only if nobody else holds a ticket: one step."""
        self.finish_serving(conversation_id, ticket_number)
