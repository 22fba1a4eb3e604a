"""runform: running-form analysis from side-view video, lab motion capture and pelvis sensors.

    import runform
    result = runform.analyze("run.mp4", height_m=1.78, speed_mps=3.2)
    result.summary["metrics"]["cadence_spm"]["median"]   # summary.json's content
    result.strides                                       # one row per stride (pandas)
    result.write("run-results")                          # every output file
"""

__version__ = "0.1.0"


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
    from .sources.registry import option_types

    known = {f.name for f in fields(Settings)}
    own = {f.name: kind for kind in option_types() for f in fields(kind)}  # each source's own options
    unknown = set(options) - known - set(own)
    if unknown:
        raise UsageError(f"Unknown option(s) {', '.join(sorted(unknown))}.",
                         f"Options: {', '.join(sorted(known | set(own)))}.")
    settings = Settings(**{k: v for k, v in options.items() if k in known})
    given = [kind(**{k: v for k, v in options.items() if own.get(k) is kind}) for kind in option_types()]
    return run(path, settings, [o for o in given if o != type(o)()])
