#!/usr/bin/env bash
# Repairs an interrupted dpkg ("dpkg was interrupted, you must manually run 'dpkg --configure -a'")
# before anything is installed, as a fresh machine may come with one. Safe when nothing is wrong.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
as_root() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }
if [[ -n $(dpkg --audit 2>/dev/null) ]] || ! as_root env DEBIAN_FRONTEND=noninteractive apt-get check >/dev/null 2>&1; then
  say "repairing an interrupted package installation (dpkg --configure -a, apt-get -f install)"
  as_root env DEBIAN_FRONTEND=noninteractive dpkg --configure -a
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -f install -y
fi
