#!/usr/bin/env bash
# Pulumi Deployments schedules, which the deployment settings file cannot hold: daily drift
# detection on every stack. Run once, after `pulumi deployment settings push` for each stack.
# Usage: bash delivery/schedules.sh [ORG]   (ORG defaults to your default Pulumi organisation)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:+$1/flask-eks/}
for stack in dev staging prod; do
    pulumi stack schedule new --stack "$prefix$stack" --kind drift --cron "17 5 * * *" --yes
done
