#!/usr/bin/env bash
# delivery/project.sh: the project's name, from Pulumi.yaml's `name:` (quoted or not): the namespace
# of its config keys and the first part of its Pulumi stacks' paths.
set -euo pipefail
cd "$(dirname "$0")/.."
sed -nE 's/^name:[[:space:]]*["'\'']?([^"'\''[:space:]]+).*$/\1/p' Pulumi.yaml
