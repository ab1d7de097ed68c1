"""Domain errors. The UI turns them into messages, the API into HTTP statuses."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a caller is expected to show to a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """Missing, or not visible to this actor: both look the same so ids cannot be probed."""

    def __init__(self, what: str = "issue") -> None:
        super().__init__(f"{what.capitalize()} not found.")


class PermissionDenied(DomainError):
    """The actor may see the thing but not do this to it."""


class AuthenticationFailed(DomainError):
    """Bad credentials, expired/revoked token or locked account (one message for all)."""


class InvalidInput(DomainError):
    """Bad input; `errors` maps a field name to what is wrong with it."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class TooLarge(InvalidInput):
    """An upload or body over its size limit (HTTP 413)."""


class UnsupportedType(InvalidInput):
    """An upload whose content is not an allowed type (HTTP 415)."""


class RateLimited(DomainError):
    """Over a per-user write limit (HTTP 429); `retry_after`: seconds until the write fits."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class InvalidTransition(InvalidInput):
    """A status move the workflow does not allow; carries the allowed moves."""

    def __init__(self, current: str, requested: str, allowed: list[str]) -> None:
        moves = ", ".join(allowed) or "none"
        super().__init__(
            f"Cannot move from {current} to {requested}. Allowed from {current}: {moves}.",
            {"status": f"allowed: {moves}"},
        )
        self.current = current
        self.requested = requested
        self.allowed = allowed


class Conflict(DomainError):
    """A stale or clashing write; `current` is the state the caller should look at."""

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


class Unavailable(DomainError):
    """The database could not be reached; nothing was written, the user may try again."""

    def __init__(self) -> None:
        super().__init__("The database is not reachable right now; nothing was saved. Try again.")


class StorageError(DomainError):
    """The upload directory could not take the file (full, read-only); nothing was saved."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "The file could not be stored (the server's disk may be full); try later."
        )


class StorageUnavailable(StorageError):
    """The file storage (the bucket) could not be reached; nothing was written. HTTP 503."""

    def __init__(self) -> None:
        super().__init__(
            "The file storage is not reachable right now; nothing was saved or lost. "
            "Try again in a moment."
        )
