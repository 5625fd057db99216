#!/usr/bin/env bash
# Pulumi Deployments settings of the three stacks. They live in Pulumi Cloud, and the CLI edits them
# with flags (it has no settings file), so this script is their source.
#
# Deployments here runs only what a person starts, from the console or `pulumi deployment run`:
# deploy.yml is the one deployer of pushes, pull-request.yml previews pull requests with the
# read-only role, and drift.yml checks drift. So pushes, pull-request previews and review stacks are
# off: each would run with the stack's deploy role, and the role's trust admits only update and
# destroy (delivery/deploy-role-trust.json).
#
# The executor is pulumi/pulumi at the CLI version the tests run (engine/versions.env). That image
# ships the AWS CLI v2, which the Kubernetes provider's kubeconfig runs for its tokens; the first
# pre-run command fails the run before any change if a different image lacks it.
#
# Usage: bash delivery/deployments.sh ORG ACCOUNT_ID OWNER/REPO
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 3 ]; then
    echo "usage: bash delivery/deployments.sh ORG ACCOUNT_ID OWNER/REPO" >&2
    exit 2
fi
org=$1 account=$2 repo=$3
# shellcheck source=engine/versions.env
. engine/versions.env
for stack in dev staging prod; do
    pulumi deployment settings edit --stack "$org/flask-eks/$stack" \
        --vcs-provider github --repo "$repo" --branch main --folder . \
        --executor-image "pulumi/pulumi:${PULUMI_VERSION#v}" \
        --pre-run-command "aws --version" \
        --pre-run-command "npm ci --no-audit --no-fund" \
        --skip-install-deps \
        --oidc-aws-role-arn "arn:aws:iam::$account:role/flask-eks-deploy-$stack" \
        --oidc-aws-session-name "pulumi-deployments-$stack" \
        --oidc-aws-duration 1h \
        --push-to-deploy=false --preview-prs=false --pr-template=false
done
