// What the delivery tests share: the workflows, read as YAML.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ROOT } from "../../offline/stack-config";

export const WORKFLOWS = path.join(ROOT, ".github", "workflows");
export const workflowFiles = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
// Workflow files are free-form YAML; the tests walk them loosely.
export type Yaml = any;
export const load = (file: string): Yaml => yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));

/** Every job of every workflow, with the steps it runs. */
export function jobs(): [string, string, Yaml][] {
    return workflowFiles.flatMap((f) =>
        Object.entries(load(f).jobs as Record<string, Yaml>).map(
            ([name, job]) => [f, name, job] as [string, string, Yaml],
        ),
    );
}

/** The jobs that run pulumi up on a push to main (Pulumi Deployments deploys no push: test/bootstrap/pulumicloud.test.ts). */
export function pushDeployers(): string[] {
    const deployers: string[] = [];
    for (const file of workflowFiles) {
        const workflow = load(file);
        if (!workflow.on?.push) continue;
        for (const [name, job] of Object.entries(workflow.jobs as Record<string, Yaml>)) {
            const reusable = String(job.uses ?? "").endsWith("pulumi-up.yml");
            const runsUp = (job.steps ?? []).some(
                (s: Yaml) => /pulumi up\b/.test(s.run ?? "") || s.with?.command === "up",
            );
            if (reusable || runsUp) deployers.push(`${file} job ${name}`);
        }
    }
    return deployers;
}
