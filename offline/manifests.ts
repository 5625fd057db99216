import { spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { RunResult, unwrapSecrets } from ".";
import { ROOT } from "./stack-config";

/** A Kubernetes object as the provider would send it to the API server. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

/** Every Kubernetes object a run registered, from its inputs, in registration order. */
export function manifestsOf(run: RunResult): Manifest[] {
    return (
        run.registrations
            // A Helm release is not an API object: the provider renders its chart when it deploys.
            .filter(
                (r) =>
                    r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"),
            )
            .map((r) => unwrapSecrets(r.inputs) as Manifest)
    );
}

/** The manifests as one multi-document YAML stream. */
export function toYaml(manifests: Manifest[]): string {
    return manifests.map((m) => yaml.dump(m, { noRefs: true, sortKeys: false })).join("---\n");
}

export interface Validation {
    ok: boolean;
    /** What the validator printed: one line per problem, empty when all is valid. */
    output: string;
}

/**
 * Validates manifests against the official Kubernetes JSON schemas for `kubernetesVersion` (1.NN)
 * with kubernetes-validate in strict mode, which also rejects fields the schema does not know.
 */
export function validateManifests(manifests: Manifest[], kubernetesVersion: string): Validation {
    // KUBERNETES_VALIDATE names another checkout's: the mutation run's sandboxes have no .venv.
    const validator =
        process.env.KUBERNETES_VALIDATE ?? path.join(ROOT, ".venv", "bin", "kubernetes-validate");
    if (!fs.existsSync(validator)) {
        throw new Error(`${validator} is missing: run bash scripts/setup.sh (npm test does) to install it`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flask-eks-manifests-"));
    try {
        const file = path.join(dir, "manifests.yaml");
        fs.writeFileSync(file, toYaml(manifests));
        const result = spawnSync(
            validator,
            ["--kubernetes-version", `${kubernetesVersion}.0`, "--strict", "--quiet", file],
            {
                encoding: "utf8",
            },
        );
        const output = `${result.stdout}${result.stderr}`.trim();
        return { ok: result.status === 0, output };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
