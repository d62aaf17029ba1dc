"""The intent modules. Importing this package registers every intent in ``bot.intents.registry``.

One module per intent (or per small family): its cues, its score and its field extractor.
"""

from bot.intents.kinds import (  # noqa: F401  (imported for their registration)
    activity,
    commands,
    deals_list,
    kb,
    lead,
    outcome,
    snooze,
    stage,
)
