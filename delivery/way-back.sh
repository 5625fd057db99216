#!/usr/bin/env bash
# delivery/way-back.sh STACK: what to do after a failed `pulumi up` of STACK, as Markdown for the job
# summary (pulumi-up.yml). A release whose pods never became ready fails the up within the stack's
# workloadRolloutTimeoutSeconds, its old pods still serving; the up's log above names the cause.
set -euo pipefail
stack=${1:?usage: delivery/way-back.sh STACK}
# The docs at the commit that was deployed (GitHub sets these in every job).
docs="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-<owner>/<repository>}/blob/${GITHUB_SHA:-main}/docs/operations.md"
project=$(bash "$(dirname "$0")/project.sh")
cat <<MD
### The up of \`$stack\` failed

If the log above says the Deployment timed out waiting to be ready (\`CrashLoopBackOff\`, \`containers
with unready status\`), the new release never became ready and the old pods still serve the previous
one. The way back is that image, by digest
([docs/operations.md]($docs#a-release-that-does-not-become-ready)):
the digest the ready pods run,

\`\`\`sh
kubectl get pods -n flask-app -o jsonpath='{range .items[?(@.status.containerStatuses[0].ready==true)]}{.spec.containers[0].image}{"\\n"}{end}' | sort -u
\`\`\`

set as \`$project:imageRef\` in \`Pulumi.$stack.yaml\` and merged (or \`pulumi config set imageRef <it>\` and
\`pulumi up\` with the stack's deploy rights). Fix forward, then remove imageRef again. Anything else:
the log above.
MD
