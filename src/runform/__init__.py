"""runform: running-form analysis from side-view video, lab motion capture and pelvis sensors.

    import runform
    result = runform.analyze("run.mp4", height_m=1.78, speed_mps=3.2)
    result.summary["metrics"]["cadence_spm"]["median"]   # summary.json's content
    result.strides                                       # one row per stride (pandas)
    result.write("run-results")                          # every output file
"""

__version__ = "0.1.0"

LAB_OPTIONS = ("forces", "static", "markers")
SENSOR_OPTIONS = ("columns", "units", "rate_hz", "standing_s")


def analyze(path, **options):
    """Analyse a running recording (video, lab trial or sensor CSV) in memory; returns a
    ``runform.pipeline.Result``. Options: the fields of ``runform.settings.Settings``
    (``height_m``, ``speed_mps``, ``sex``, ``start_s``, ``end_s``, ``references``,
    ``annotated_video``, ``workers``), for a lab trial ``forces``, ``static``, ``markers``,
    for a sensor ``columns``, ``units``, ``rate_hz``, ``standing_s``."""
    from dataclasses import fields

    from .errors import UsageError
    from .pipeline import run
    from .settings import Settings

    known = {f.name for f in fields(Settings)}
    unknown = set(options) - known - set(LAB_OPTIONS) - set(SENSOR_OPTIONS)
    if unknown:
        raise UsageError(f"Unknown option(s) {', '.join(sorted(unknown))}.",
                         f"Options: {', '.join(sorted(known | set(LAB_OPTIONS) | set(SENSOR_OPTIONS)))}.")
    settings = Settings(**{k: v for k, v in options.items() if k in known})
    lab = {k: options.get(k) for k in LAB_OPTIONS}
    return run(path, settings, **lab, imu={k: options.get(k) for k in SENSOR_OPTIONS})
