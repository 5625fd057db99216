import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { inspect } from "util";
import type { ScaleTarget } from "./scaling";
import { ANALYSIS_ARG, AnalysisLimits, analysisSpec, canaryMetrics, measureEvery } from "./analysis";

/** A canary per release: its steps, each step's bake time, and what its analysis holds it to. */
export interface CanarySettings extends AnalysisLimits {
    /** The canary's share of the pods at each step, in percent, rising. */
    steps: number[];
    /** How long each step runs before the next, under analysis all along. */
    bakeSeconds: number;
}

export interface CanaryArgs {
    /** The Rollout's and its AnalysisTemplate's name: the app's. */
    name: string;
    namespace: pulumi.Output<string>;
    labels: Record<string, string>;
    /** The declared workload: the Rollout takes its pod template and selector (workloadRef). */
    deployment: k8s.apps.v1.Deployment;
    /** The release's image: what the stable pods run once its canary passed. */
    imageRef: pulumi.Input<string>;
    settings: CanarySettings;
    /** How long the release may take to be ready (the Rollout's progress deadline), bake times aside. */
    rolloutTimeoutSeconds: number;
    /** The controller's release, when this stack installs it: its CRDs exist before the objects here. */
    controller?: pulumi.Resource;
}

const ROLLOUTS_API = "argoproj.io/v1alpha1";

/**
 * An Argo Rollouts canary over the Deployment: the Deployment stays the declared object (its template,
 * its labels) and the controller scales it to zero once the Rollout is healthy; each release is then a
 * new ReplicaSet whose pods take a share of the same Service's traffic, step by step, while an analysis
 * reads their error ratio and p99 latency from Prometheus. Above a threshold the controller aborts and
 * the stable pods take all traffic back; `pulumi up` waits for that outcome and fails on it.
 * Argo Rollouts: docs/migrating.md (workloadRef, scaleDown), docs/features/canary/index.md.
 */
export class Canary extends pulumi.ComponentResource {
    readonly rollout: k8s.apiextensions.CustomResource;
    /** What the HPA scales: the Rollout (it has a scale subresource), no longer the Deployment. */
    readonly scaleTarget: ScaleTarget;
    /** The image the stable pods run: the release's once it passed; it never resolves if it failed. */
    readonly stableImageRef: pulumi.Output<string>;

    constructor(name: string, args: CanaryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:Canary", name, {}, opts);
        const { settings, namespace, labels } = args;
        const analysis = new k8s.apiextensions.CustomResource(
            "analysis",
            {
                apiVersion: ROLLOUTS_API,
                kind: "AnalysisTemplate",
                metadata: { name: args.name, namespace, labels },
                spec: analysisSpec(args.namespace, settings, measureEvery(settings.bakeSeconds)),
            },
            { parent: this, dependsOn: args.controller },
        );
        // The Rollout changes with every release, so the provider waits on each: until the controller
        // has seen the Deployment's new generation and the release is Healthy (every step passed) or
        // Degraded (aborted). pulumi-kubernetes: provider/pkg/metadata/overrides.go ("pulumi.com/waitFor",
        // a JSON list of jsonpath conditions, all of which must hold).
        const generation = args.deployment.metadata.generation.apply(String);
        const bake = settings.steps.length * settings.bakeSeconds;
        const timeout = `${args.rolloutTimeoutSeconds + bake}s`;
        this.rollout = new k8s.apiextensions.CustomResource(
            "rollout",
            {
                apiVersion: ROLLOUTS_API,
                kind: "Rollout",
                metadata: {
                    name: args.name,
                    namespace,
                    labels,
                    annotations: {
                        "flask-eks/deployment-generation": generation,
                        "pulumi.com/waitFor": generation.apply((g) =>
                            JSON.stringify([
                                `jsonpath={.status.workloadObservedGeneration}=${g}`,
                                "jsonpath={.status[?@ == 'Healthy' || @ == 'Degraded']}",
                            ]),
                        ),
                    },
                },
                spec: {
                    // No replicas: the HPA owns the count, as it did the Deployment's.
                    workloadRef: {
                        apiVersion: "apps/v1",
                        kind: "Deployment",
                        name: args.deployment.metadata.name,
                        scaleDown: "onsuccess",
                    },
                    // A release whose pods never become ready is aborted, as one that fails its analysis.
                    progressDeadlineSeconds: args.rolloutTimeoutSeconds,
                    progressDeadlineAbort: true,
                    strategy: { canary: canaryStrategy(args.name, settings) },
                },
                // Declared so that the Rollout's status is an output the verdict below reads.
                status: undefined,
            },
            { parent: this, dependsOn: [analysis], customTimeouts: { create: timeout, update: timeout } },
        );
        this.scaleTarget = { apiVersion: ROLLOUTS_API, kind: "Rollout", name: this.rollout.metadata.name };
        const status = (this.rollout as unknown as { status: pulumi.Output<RolloutStatus | undefined> })
            .status;
        this.stableImageRef = pulumi
            .all([args.imageRef, status, namespace])
            .apply(([imageRef, s, ns]) =>
                s?.phase === "Degraded"
                    ? rolledBack(s, ns, limitsOf(settings), this)
                    : pulumi.output(imageRef),
            );
        // Not among the outputs: a rolled-back release fails the up once, through the stack output.
        this.registerOutputs({});
    }
}

/** One pod more at a time and none fewer; each step a share and a bake; analysis from the first step on. */
function canaryStrategy(name: string, settings: CanarySettings) {
    return {
        maxSurge: 1,
        maxUnavailable: 0,
        steps: settings.steps.flatMap((weight) => [
            { setWeight: weight },
            { pause: { duration: `${settings.bakeSeconds}s` } },
        ]),
        analysis: {
            templates: [{ templateName: name }],
            // From the first step on, while its pod starts: the first verdict comes a scrape after it serves.
            startingStep: 0,
            args: [{ name: ANALYSIS_ARG, valueFrom: { podTemplateHashValue: "Latest" } }],
        },
    };
}

/** The part of a Rollout's status the verdict reads. */
interface RolloutStatus {
    phase?: string;
    message?: string;
    canary?: { currentBackgroundAnalysisRunStatus?: { name?: string } };
}

/** Raised when the controller rolled a release back: the up fails with why, and no stack trace. */
export class RolledBack extends pulumi.RunError {
    /**
     * The message alone. The SDK's handler of an uncaught error logs a RunError's message, then formats
     * the whole error with util.inspect for its trace (cmd/run/run.js uncaughtHandler, cmd/run/error.js
     * defaultErrorMessage). Thrown in an apply, the error carries the promise it rejected
     * (runtime/debuggable.js), and inspecting that held the up 17 s on an idle machine and 32 to 55 s
     * in the e2e, nearly all of it garbage collection, after the rollback was known.
     */
    [inspect.custom]() {
        return this.message;
    }
}

/**
 * Fails the up with what the controller said and, when an analysis failed, what it measured: the
 * AnalysisRun's last measurement of each metric (read from the cluster), which the Rollout's message lacks.
 */
function rolledBack(
    status: RolloutStatus,
    namespace: string,
    limits: Record<string, number>,
    canary: Canary,
): pulumi.Output<never> {
    const runName = status.canary?.currentBackgroundAnalysisRunStatus?.name;
    const said = `the release was rolled back, the stable pods serve: ${status.message ?? "no message"}`;
    if (!runName) return pulumi.output(Promise.reject(new RolledBack(said)));
    // Read, not made: the provider gets it by its id (namespace/name) and the kind.
    const run = new k8s.apiextensions.CustomResource(
        "analysis-run",
        { apiVersion: ROLLOUTS_API, kind: "AnalysisRun", status: undefined },
        { parent: canary, id: `${namespace}/${runName}` },
    );
    return (run as unknown as { status: pulumi.Output<AnalysisRunStatus | undefined> }).status.apply<never>(
        (s) => {
            const measured = (s?.metricResults ?? []).map((m) => {
                const last = m.measurements?.[m.measurements.length - 1];
                return `${m.name} ${m.phase}: measured ${last?.value ?? "nothing"}, at most ${limits[m.name]}`;
            });
            throw new RolledBack(measured.length > 0 ? `${said} (${measured.join("; ")})` : said);
        },
    );
}

/** Each metric's limit, by name. */
const limitsOf = (settings: CanarySettings) =>
    // Stryker disable next-line StringLiteral: the namespace is in the queries, which this does not read
    Object.fromEntries(canaryMetrics("", settings).map((m) => [m.name, m.limit]));

/** The part of an AnalysisRun's status the verdict reads. */
interface AnalysisRunStatus {
    metricResults?: { name: string; phase: string; measurements?: { value?: string }[] }[];
}
