"""Pure decision-tree engine. No I/O, no Telegram."""
