"""What the pages know about the deployment, set once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageConfig:
    allow_signup: bool = True
    secure_cookies: bool = False  # production: Secure, `__Host-` cookies
    job_queue: bool = False  # RQ on Redis (else jobs run in-process)


_current = PageConfig()


def current() -> PageConfig:
    return _current


def configure(new: PageConfig) -> None:
    global _current
    _current = new
