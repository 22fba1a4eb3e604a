"""Live feedback while running: a camera or a file on the clock -> one pose worker ->
the live read-out (``engine.LiveAnalysis``) -> a line of figures each half second."""
