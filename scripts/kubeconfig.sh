#!/usr/bin/env bash
# npm run kubeconfig -- --stack <org>/<project>/<stack>: writes the stack's kubeconfig output to
# kubeconfig.json in the current directory (npm's: the project's) and prints the line that points
# kubectl at it. Every argument goes to `pulumi stack output`, so --stack names the stack rather than
# whichever is selected. If the CLI fails, nothing is written and an earlier kubeconfig.json stays.
set -euo pipefail
partial=$(mktemp kubeconfig.json.XXXXXX)
trap 'rm -f "$partial"' EXIT
pulumi stack output kubeconfig --show-secrets "$@" >"$partial"
# It names the cluster and how to get its tokens (no token itself): the owner's only.
chmod 600 "$partial"
mv "$partial" kubeconfig.json
echo "export KUBECONFIG=$PWD/kubeconfig.json"
