"""Translation review and service checks by the office's people. Core side: no Telegram, no
database driver. ``checks`` decides whether a correction may be shown to users, ``queue``
what to review or check next, ``apply`` writes the results into locales/ and knowledge/.
"""
