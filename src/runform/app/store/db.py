"""Opening the store: a database URL -> an engine with the schema migrated to the newest version.

SQLite (default: ``runform.db`` in the user's data folder) or PostgreSQL
(``postgresql://user:pass@host/db``). The schema is created and upgraded by
the Alembic migrations in ``migrations/``, never by ``create_all``, so both
databases carry the same, versioned schema.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import sessionmaker

from ...errors import UsageError


def data_dir() -> Path:
    """The user's runform data folder: $RUNFORM_HOME, else $XDG_DATA_HOME/runform or ~/.local/share/runform."""
    if os.environ.get("RUNFORM_HOME"):
        return Path(os.environ["RUNFORM_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "runform"


def default_url() -> str:
    return f"sqlite:///{data_dir() / 'runform.db'}"


def _normalise(url: str) -> str:
    """PostgreSQL URLs use the psycopg 3 driver that runform installs."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


class Store:
    """An engine and a session factory on a migrated database."""

    def __init__(self, url: str | None = None):
        url = url or default_url()
        try:
            u = make_url(_normalise(url))
        except ArgumentError:
            raise UsageError(f"'{url}' is not a database URL.",
                             "Use sqlite:///path/runform.db or postgresql://user:password@host/dbname.") from None
        if u.get_backend_name() not in ("sqlite", "postgresql"):
            raise UsageError(f"runform stores results in SQLite or PostgreSQL, not '{u.get_backend_name()}'.")
        if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
            Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.url = u
        self.engine = create_engine(u, pool_pre_ping=True,
                                    **({"connect_args": {"timeout": 30}} if u.get_backend_name() == "sqlite" else {}))
        if u.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            migrate(self.engine)
        except OperationalError as e:
            raise UsageError(f"Could not open the database {u.render_as_string(hide_password=True)} "
                             f"({str(e.orig).strip().splitlines()[0]}).",
                             "Check that the server runs, the database exists and the user may write to it.") from None
        self.session = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """Several writers (web jobs, a batch) at once: write-ahead log, wait for locks, keep foreign keys."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest schema (creates it when empty)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("runform.app.store").joinpath("migrations")))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
