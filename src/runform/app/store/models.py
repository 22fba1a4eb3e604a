"""The store's tables: athletes and their sessions (one analysed recording each).

The same schema on SQLite (the default file in the user's data folder) and
PostgreSQL; it changes only through the Alembic migrations beside this file.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def session_time(day: date | None) -> datetime:
    """A session's timestamp: noon UTC of the day it was recorded (shown as that day in any
    time zone within 12 h of UTC), or now when the day is not known."""
    return datetime.combine(day, time(12), tzinfo=timezone.utc) if day else utcnow()


class Base(DeclarativeBase):
    pass


class Athlete(Base):
    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    height_m: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[str | None] = mapped_column(String(1))
    notes: Mapped[str | None] = mapped_column(Text)  # the coach's, shown on the athlete's page
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sessions: Mapped[list[RunSession]] = relationship(back_populates="athlete", cascade="all, delete-orphan",
                                                      order_by="RunSession.recorded_at")


class RunSession(Base):
    """One recording and its analysis. ``status``: queued, running, done, failed, cancelled.

    ``output_dir`` is the runform output folder; ``owns_files`` says whether deleting the
    session deletes it (uploads do; a batch's results stay in the batch folder)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int | None] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    origin: Mapped[str] = mapped_column(String(16), default="web")  # web | batch
    source: Mapped[str | None] = mapped_column(String(16))  # video | mocap | imu
    file_name: Mapped[str] = mapped_column(String(300))  # as the user named it; shown, never used as a path
    input_path: Mapped[str | None] = mapped_column(Text)  # the stored upload (generated name) or the batch input
    recording_key: Mapped[str | None] = mapped_column(String(64), index=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    output_dir: Mapped[str | None] = mapped_column(Text)
    owns_files: Mapped[bool] = mapped_column(default=True)
    n_strides: Mapped[int | None] = mapped_column(Integer)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)  # name -> {median, iqr, sd, n, unit}
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(Text)  # the coach's, shown on the session's page

    athlete: Mapped[Athlete | None] = relationship(back_populates="sessions")
