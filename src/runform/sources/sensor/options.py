"""A sensor table's own options: what its columns are when runform cannot tell."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SensorOptions:
    """``columns``: 'time=ts,acc_x=AX,...' for names runform does not recognise; ``units``:
    'acc=g,gyr=rad/s,time=ms' when they are not detected; ``rate_hz``: the sampling rate of a
    file without a time column; ``standing_s``: (start, end) seconds of standing still, for
    pelvic tilt relative to standing."""

    columns: str | None = field(default=None, metadata={"setting": "columns"})
    units: str | None = field(default=None, metadata={"setting": "units"})
    rate_hz: float | None = field(default=None, metadata={"setting": "rate"})
    standing_s: tuple[float, float] | None = field(default=None, metadata={"setting": "standing"})
