"""Body proportions the engine scales and checks with.

Hip-to-ankle length is 0.491 x stature (thigh 0.245 + leg 0.246; Winter,
Biomechanics and Motor Control of Human Movement, 4th ed., table 4.1). Without
a given height, distances assume a runner of 1.75 m.
"""

LEG_FRACTION_OF_HEIGHT = 0.491
DEFAULT_HEIGHT_M = 1.75
