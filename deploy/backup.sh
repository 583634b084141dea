#!/usr/bin/env bash
# Consistent online backup of Lotse's SQLite file (safe while the bot runs, WAL included).
# Usage: deploy/backup.sh /var/lib/lotse/lotse.sqlite3 /var/backups/lotse   (e.g. daily cron)
# The salt file (lotse.salt) is deliberately not copied here: back it up apart from the
# database, so that a database backup alone cannot be matched to Telegram ids (README).
set -euo pipefail
umask 077  # backups are readable by their owner only, like the database
db=${1:?database file}
target=${2:?backup folder}
mkdir -p "$target"
out="$target/lotse-$(date -u +%Y-%m-%d).sqlite3"
python3 - "$db" "$out" <<'PY'
import sqlite3, sys
src = sqlite3.connect(sys.argv[1])
dst = sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)
ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
src.close(); dst.close()
sys.exit(0 if ok == "ok" else f"backup failed integrity_check: {ok}")
PY
# Keep 30 days: the feedback itself is anonymous, but backups follow the same retention idea.
find "$target" -name 'lotse-*.sqlite3' -mtime +30 -delete
echo "$out"
