#!/usr/bin/env bash
# make run: the whole system on this machine. PostgreSQL and Kafka (via with-infra.sh),
# then every process of deploy/Procfile under honcho. Ctrl-C stops the processes, then Kafka
# and PostgreSQL if this run started them, and leaves no port taken. Safe to re-run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_env
cd "$ROOT"

[[ -x .venv/bin/honcho ]] || die "not bootstrapped: use 'make run' (or run 'make bootstrap' first)"
export PATH="$ROOT/.venv/bin:$PATH" PYTHONPATH="services:."

# A leftover process from an earlier run would make one service fail confusingly late.
for port in "$CASES_PORT" "$FOLLOWUP_API_PORT" "$FOLLOWUP_FAUST_WEB_PORT" "$FRONTEND_PORT" \
  "$DEVIATIONS_PORT" "$COUNTY_API_PORT" "$COUNTY_FAUST_WEB_PORT" "$DEV_IDP_PORT" "$DEV_SS12000_PORT" "$DIRECTORY_PORT" \
  "$NOTIFICATIONS_PORT" "$DEV_SMTP_PORT" "$DEV_MAIL_HTTP_PORT"; do
  port_open 127.0.0.1 "$port" && die "port $port is already taken (an earlier make run still running?)"
done

# Announce the URL once the frontend answers, below the start-up noise rather than above it;
# then seed the demo (deploy/demo_seed.py: half a term of cases, deviations and a mission;
# once, and at once done when already seeded) in the same background process, so the URL is
# never kept waiting for it and Ctrl-C stops it too (an interrupted seed completes next time).
url="http://127.0.0.1:$FRONTEND_PORT"
(
  if wait_for_port 127.0.0.1 "$FRONTEND_PORT" 180; then
    printf '\n====================================================\n'
    printf '  Stödspår is running: %s\n' "$url"
    printf '  Log in as any seeded user on the development login page;\n'
    printf '  README.md, "The demo", says whom to log in as to see what.\n'
    printf '  Ctrl-C stops everything.\n'
    printf '====================================================\n\n'
    exec python deploy/demo_seed.py
  fi
) &
announcer=$!
trap 'kill "$announcer" 2>/dev/null || true' EXIT

say "starting; the app will be at $url"
# Not exec'd: this shell must outlive honcho to stop the announcer.
deploy/with-infra.sh honcho -f deploy/Procfile -d "$ROOT" start
