"""The languages Lotse speaks. A leaf: imports nothing from ``bot``, so the knowledge
validator and the catalogs can both use the list without importing each other."""

from __future__ import annotations

SOURCE = "de"
# The order of the language picker: German first, then by the number of speakers in the county.
LANGUAGES = ("de", "en", "tr", "ar", "ru", "uk", "pl", "fa", "ku", "ro", "bg")
RTL = frozenset({"ar", "fa"})
# Telegram codes that Babel cannot negotiate by itself.
ALIASES = {"kmr": "ku", "prs": "fa", "pes": "fa", "ua": "uk", "iw": "he"}
