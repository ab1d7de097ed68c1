"""Mail in: one RFC 5322 message becomes an issue or a comment, its attachments checked and
analysed like browser uploads; unknown or automatic senders are refused politely, once.

    parse.py    bytes -> a plain ParsedMail (no database): sender, subject, text, files
    receive.py  the service: who sent it, what it becomes, the replies (via the outbox)
    imap.py     polling a mailbox over IMAP with TLS
"""

from . import parse, receive
from .policy import MailInPolicy, configure
from .receive import Outcome
from .receive import receive as handle

__all__ = ["MailInPolicy", "Outcome", "configure", "handle", "parse", "receive"]
