"""The switches that keep the libraries we use from calling out: no telemetry (Chroma, Gradio,
Hugging Face), no model-hub look-ups. Applied before any of those libraries is imported, by
``qa.settings`` (the product) and by the ``index`` modules that load them (used on their own).
A variable already set by the user is left as it is."""

from __future__ import annotations

import os

SWITCHES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # progress bars are the CLI's, and only on a terminal
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "DO_NOT_TRACK": "1",
}


def stay_offline() -> None:
    for key, value in SWITCHES.items():
        os.environ.setdefault(key, value)
