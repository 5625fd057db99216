import { Registration, RunResult } from "../offline";
import { markdownTable, minutes, table } from "./report";

// A release after the first, when the stack's releases are canaries: each step of its Rollout, how
// long it bakes under analysis, and when it is done at the earliest. A first up has no canary (the
// Rollout's first revision goes straight to Healthy), so its critical path leaves this out.

/** Seconds a new pod takes to start and become ready: the Deployment's figure for a few replicas, halved. */
const POD_START_SECONDS = 30;

interface Step {
    setWeight?: number;
    pause?: { duration?: string };
}
/** The parts of a Rollout's and an AnalysisTemplate's inputs read here. */
interface RolloutInputs {
    metadata?: { name?: string };
    spec?: { strategy?: { canary?: { steps?: Step[] } } };
}
interface TemplateInputs {
    spec?: { metrics?: { name: string; successCondition: string }[] };
}

/**
 * The canary's steps and their bake, and who runs them, as text for the terminal or as Markdown for
 * the pull request's comment; undefined when the stack has no canary.
 */
export function renderRelease(run: RunResult, markdown = false): string | undefined {
    const rollout = run.registrations.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Rollout");
    if (!rollout) return undefined;
    const inputs = rollout.inputs as RolloutInputs;
    let done = 0;
    const rows: string[][] = [];
    for (const step of inputs.spec?.strategy?.canary?.steps ?? []) {
        if (step.setWeight !== undefined) {
            done += POD_START_SECONDS;
            rows.push([`${step.setWeight}%`, "", minutes(done)]);
        } else if (step.pause?.duration) {
            done += parseInt(step.pause.duration, 10);
            rows[rows.length - 1][1] = step.pause.duration;
            rows[rows.length - 1][2] = minutes(done);
        }
    }
    done += POD_START_SECONDS;
    const steps = [["share of the pods", "bakes", "done by"], ...rows, ["100%", "", minutes(done)]];
    return [
        `Each release after the first is a canary (Rollout ${inputs.metadata?.name}, run by ${controllerOf(run)}):`,
        markdown ? markdownTable(steps) : table(steps),
        `analysis throughout (AnalysisTemplate, Prometheus): ${metricsOf(run)}; above a limit the controller rolls it back and pulumi up fails.`,
    ].join(markdown ? "\n\n" : "\n");
}

function controllerOf(run: RunResult): string {
    const release = run.registrations.find(
        (r: Registration) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "argo-rollouts",
    );
    return release
        ? `the Argo Rollouts controller, chart ${release.inputs.chart} ${release.inputs.version}`
        : "the Argo Rollouts controller the cluster has";
}

function metricsOf(run: RunResult): string {
    const template = run.registrations.find(
        (r) => r.type === "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate",
    );
    const metrics = (template?.inputs as TemplateInputs | undefined)?.spec?.metrics ?? [];
    return metrics
        .map((m) => `${m.name}${m.successCondition.replace(/^isNaN\(result\[0\]\) \|\| result\[0\]/, "")}`)
        .join(", ");
}
