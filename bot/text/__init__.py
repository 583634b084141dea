"""Text helpers shared by the core: normalisation for search and crisis detection
(:mod:`bot.text.norm`) and scrubbing personal data out of free text (:mod:`bot.text.scrub`).
Pure; no I/O, no Telegram."""
