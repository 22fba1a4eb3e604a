"""runform: running-form analysis from side-view video, lab motion capture and pelvis sensors."""

__version__ = "0.1.0"
