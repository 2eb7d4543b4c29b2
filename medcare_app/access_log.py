"""The access log, and keeping exception text (which can hold data values) out of the server log.

One line per page view: who (user name, or ``open`` without sign-in), which role, which page, which data
source (its name and fingerprint) and the names of the filtered columns, with the time in ISO 8601. Never a
patient value: filter values can be subject identifiers ("Add a filter" offers any ADSL column), so only
the filtered column names are written. Sign-ins, refusals and sign-outs are logged too.

The file is ``MEDCARE_ACCESS_LOG`` or ``logs/access.log`` under the working folder, rotated at 1 MB with 5
old files kept (``access.log.1`` ... ``access.log.5``). Nothing here imports Streamlit except
:func:`log_page_view`, which remembers in the session what it last wrote.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import traceback
from collections.abc import Sequence
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only types: the context module needs no logging
    from medcare_app.context import PageContext

#: Environment variable naming the access log file.
LOG_ENV = "MEDCARE_ACCESS_LOG"
#: The access log without MEDCARE_ACCESS_LOG, relative to the working folder.
DEFAULT_LOG = Path("logs") / "access.log"
#: Rotation: size of one file and number of old files kept.
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
#: Session-state key of the last page view written (so a widget change on the same page writes nothing).
LAST_VIEW_KEY = "medcare_access_last_view"
#: Loggers whose records carry exceptions raised by app code (Streamlit logs an uncaught one in full).
REDACTED_LOGGERS: tuple[str, ...] = ("streamlit.error_util",)

_LOGGER_NAME = "medcare.access"
_lock = threading.Lock()
# Anything but letters, digits and a few separators is replaced in a logged field, so that a field can
# neither break the line nor forge another one.
_UNSAFE = re.compile(r"[^\w.@+:/,-]")


def log_path(environ: dict[str, str] | None = None) -> Path:
    """Return the access log file: ``MEDCARE_ACCESS_LOG``, else ``logs/access.log``.

    Parameters
    ----------
    environ : dict, optional
        Environment (default ``os.environ``).

    Returns
    -------
    pathlib.Path
        The file (not created here).
    """
    environ = dict(os.environ) if environ is None else environ
    chosen = environ.get(LOG_ENV, "").strip()
    return Path(chosen) if chosen else DEFAULT_LOG


def _field(value: object) -> str:
    text = _UNSAFE.sub("_", str(value).strip())
    return text[:120] or "-"


def format_entry(
    event: str,
    user: str,
    role: str,
    *,
    page: str = "",
    source: str = "",
    fingerprint: str = "",
    filter_columns: Sequence[str] = (),
    when: datetime | None = None,
) -> str:
    """Return one access-log line: ISO time, then ``key=value`` fields separated by spaces.

    Parameters
    ----------
    event : str
        ``"view"``, ``"sign-in"``, ``"sign-in-refused"``, ``"sign-out"``, ...
    user : str
        User name, e-mail address, or ``"open"`` without sign-in.
    role : str
        ``"viewer"`` or ``"patient"`` (``"-"`` when none).
    page : str, optional
        Page URL path (``"overview"``).
    source : str, optional
        Display name of the data source.
    fingerprint : str, optional
        Its fingerprint (which data cut).
    filter_columns : sequence of str, optional
        Names of the filtered ADSL columns: never their values, which can be subject identifiers.
    when : datetime.datetime, optional
        Time of the event (default now, local time with its offset).

    Returns
    -------
    str
        E.g. ``2025-06-02T10:15:00+02:00 event=view user=alice role=viewer page=overview
        source=cut-2025-06 fingerprint=3fa2c1d0e9b8 filters=SITEID,MDTTYPE``.
    """
    when = when or datetime.now().astimezone()
    fields = {"event": event, "user": user, "role": role or "-"}
    if page:
        fields["page"] = page
    if source:
        fields["source"] = source
    if fingerprint:
        fields["fingerprint"] = fingerprint
    if page or source:
        fields["filters"] = ",".join(filter_columns) or "none"
    text = " ".join(f"{key}={_field(value)}" for key, value in fields.items())
    return f"{when.isoformat(timespec='seconds')} {text}"


def access_logger(path: Path | None = None) -> logging.Logger:
    """Return the access logger, writing to ``path`` (default :func:`log_path`) with rotation.

    Parameters
    ----------
    path : pathlib.Path, optional
        Log file; its folder is created when absent. A logger already writing elsewhere is switched.

    Returns
    -------
    logging.Logger
        A logger that does not propagate (access lines stay out of the console log).
    """
    path = log_path() if path is None else path
    logger = logging.getLogger(_LOGGER_NAME)
    with _lock:
        target = str(path.resolve())
        handlers = [h for h in logger.handlers if isinstance(h, RotatingFileHandler)]
        if not any(h.baseFilename == target for h in handlers):
            for handler in handlers:
                logger.removeHandler(handler)
                handler.close()
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(
                path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
            )
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def log_event(event: str, user: str, role: str, **fields: object) -> None:
    """Write one access-log line (see :func:`format_entry`); a failing log never stops the app.

    Parameters
    ----------
    event : str
        What happened.
    user : str
        Who.
    role : str
        Their role.
    **fields
        ``page``, ``source``, ``fingerprint``, ``filter_columns`` as :func:`format_entry` takes them.
    """
    try:
        access_logger().info(format_entry(event, user, role, **fields))  # type: ignore[arg-type]
    except OSError as exc:
        # An unwritable log folder must not take the dashboard down; say so once per failure, without data.
        logging.getLogger(__name__).warning("access log not written: %s", type(exc).__name__)


def log_page_view(user: str, role: str, page: str, ctx: PageContext) -> None:
    """Write a ``view`` line when the user opens a page, a data source or other filter columns.

    A widget change that keeps the page, source and filtered columns (a rerun) writes nothing.

    Parameters
    ----------
    user : str
        User name or ``"open"``.
    role : str
        The role.
    page : str
        URL path of the page (``"overview"`` for the default page).
    ctx : PageContext
        The page context: source name, fingerprint and the filtered column names.
    """
    import streamlit as st

    columns = tuple(sorted(ctx.filters.columns)) if ctx.filters else ()
    view = (user, role, page, ctx.source_name, ctx.fingerprint, columns)
    if st.session_state.get(LAST_VIEW_KEY) == view:
        return
    st.session_state[LAST_VIEW_KEY] = view
    log_event(
        "view",
        user,
        role,
        page=page,
        source=ctx.source_name,
        fingerprint=ctx.fingerprint,
        filter_columns=columns,
    )


class WithholdExceptionText(logging.Filter):
    """Log an exception's type and traceback frames but not its message, which can quote data values.

    A pandas or reader error says ``KeyError: 'T-01'`` or quotes a cell; the frames (file, line, code) say
    where it happened without the values.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's exception by its type and frames; always keep the record."""
        if record.exc_info and record.exc_info[1] is not None:
            kind, _, tb = record.exc_info
            frames = "".join(traceback.format_tb(tb))
            name = kind.__name__ if kind is not None else "Exception"
            record.msg = f"{record.getMessage()}: {name} (message withheld: it may quote data)\n{frames}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def withhold_exception_text(names: Sequence[str] = REDACTED_LOGGERS) -> None:
    """Install :class:`WithholdExceptionText` on the loggers ``names`` (once; calling again does nothing).

    Parameters
    ----------
    names : sequence of str, optional
        Logger names; default the one Streamlit logs uncaught app exceptions with.
    """
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdExceptionText) for f in logger.filters):
            logger.addFilter(WithholdExceptionText())
