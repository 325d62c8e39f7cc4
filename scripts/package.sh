#!/usr/bin/env bash
# The deployment package and its CloudFormation template, offline and without AWS credentials:
#   npm run package [-- <stage> [<output dir> [osls options, e.g. --param=vpcMode=create]]]     (defaults: stage ci, dist/sls)
# osls must never wait for a prompt or phone home: stdin closed, telemetry and notices off.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off SLS_DEPRECATION_DISABLE='*'
exec npx --no-install osls package --stage "${1:-ci}" --package "${2:-dist/sls}" "${@:3}" < /dev/null
