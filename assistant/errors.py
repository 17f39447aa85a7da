"""Exceptions the package raises. The CLI turns each into a one-line message."""

from __future__ import annotations


class IPTError(Exception):
    """Base class for every error the assistant reports to the user."""

    exit_code = 1


class InputError(IPTError):
    """The user's input is unusable (empty, too long, wrong encoding, unknown option)."""

    exit_code = 2


class KnowledgeError(IPTError):
    """A knowledge file is missing or invalid; the message names file, entry and field."""

    exit_code = 3


class EndpointError(IPTError):
    """The model endpoint failed (down, slow, rate limited, bad response).

    The message never contains patient text: only status, kind and the endpoint host.
    """

    def __init__(self, message: str, *, kind: str = "error", status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


class ConfigError(IPTError):
    """The configuration is inconsistent (e.g. a base URL without a model)."""

    exit_code = 2


class Terminated(BaseException):
    """Raised by the CLI's SIGTERM/SIGHUP handler so that ``finally`` blocks (temp files) run.

    A BaseException, like KeyboardInterrupt: ``except Exception`` must not swallow it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
