"""The Telegram shell: the only package that imports ``telegram``."""
