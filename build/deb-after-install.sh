#!/bin/sh
# After the deb installs: point the usual command name at the app. Serial turnstile relays and
# scanners need the gate user in the `dialout` group; that is the admin's call, so we only say so.
set -e
ln -sf '/opt/Gatehouse/gatehouse' /usr/local/bin/gatehouse-gate || true
echo "Gatehouse installed. For USB serial relays/scanners: sudo usermod -aG dialout <gate user>"
