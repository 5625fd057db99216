import * as pulumi from "@pulumi/pulumi";

// What a canary is judged by: the app's own metrics (app/server/metrics.py) of the canary's pods alone,
// as Prometheus keeps them (each series labelled with the pod's namespace and labels, so with the
// rollouts-pod-template-hash label Argo Rollouts gives each release's pods). The canary's pods are
// new, so their counters hold every answer they gave and nothing else: a measurement reads them as
// they are, with no rate over a window, and one scrape of a pod is enough for a first verdict.

/** The AnalysisTemplate's argument: the pod-template hash of the release under analysis. */
export const ANALYSIS_ARG = "canary-hash";

/** What a canary is held to, and where its metrics are read. */
export interface AnalysisLimits {
    /** The most 5xx answers over all answers the canary may give, as a ratio (0.01 is 1%). */
    maxErrorRatio: number;
    /** The most the canary's 99th-percentile latency may be, in milliseconds. */
    maxP99Ms: number;
    /** The Prometheus that scrapes the app's pods (their port named metrics) and keeps their labels. */
    prometheusUrl: string;
}

/** The metrics, each with its query (over the canary's pods) and the most it may measure. */
export function canaryMetrics(namespace: pulumi.Input<string>, s: AnalysisLimits) {
    const pods = pulumi.interpolate`namespace="${namespace}",rollouts_pod_template_hash="{{args.${ANALYSIS_ARG}}}"`;
    const of = (metric: string, extra = "") => pulumi.interpolate`${metric}{${pods}${extra}}`;
    return [
        {
            name: "error-ratio",
            limit: s.maxErrorRatio,
            // No 5xx series yet is 0; no answer yet (0/0) is NaN: nothing to judge, so no failure.
            query: pulumi.interpolate`((sum(${of("http_requests_total", ',status=~"5.."')}) or vector(0)) / sum(${of("http_requests_total")})) or vector(0)`,
        },
        {
            name: "p99-latency",
            limit: s.maxP99Ms / 1000,
            query: pulumi.interpolate`histogram_quantile(0.99, sum by (le) (${of("http_request_duration_seconds_bucket")})) or vector(0)`,
        },
    ];
}

/**
 * How often each metric is measured, in seconds: every 10 s, or a quarter of a step's bake when that
 * is shorter, so a short step is judged more than once; not under 5 s, a scrape's interval here.
 */
export const measureEvery = (bakeSeconds: number) => Math.min(10, Math.max(5, Math.round(bakeSeconds / 4)));

/**
 * The AnalysisTemplate's spec: each metric measured every `every` seconds once the canary has had as
 * long of traffic, and failed at its first measurement above its limit (failureLimit 0). Argo
 * Rollouts: docs/analysis/prometheus.md, docs/features/analysis.md.
 */
export function analysisSpec(namespace: pulumi.Input<string>, s: AnalysisLimits, every: number) {
    return {
        args: [{ name: ANALYSIS_ARG }],
        metrics: canaryMetrics(namespace, s).map((m) => ({
            name: m.name,
            interval: `${every}s`,
            initialDelay: `${every}s`,
            failureLimit: 0,
            successCondition: `isNaN(result[0]) || result[0] <= ${m.limit}`,
            provider: { prometheus: { address: s.prometheusUrl, query: m.query } },
        })),
    };
}
