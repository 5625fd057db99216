import * as pulumi from "@pulumi/pulumi";

// What a canary is judged by: the app's own metrics (app/server/metrics.py) of the canary's pods alone,
// as Prometheus keeps them (each series labelled with the pod's namespace and labels, so with the
// rollouts-pod-template-hash label Argo Rollouts gives each release's pods).

/** The AnalysisTemplate's argument: the pod-template hash of the release under analysis. */
export const ANALYSIS_ARG = "canary-hash";
/** How far back each measurement looks: a few scrapes, so one slow scrape is no verdict. */
const WINDOW = "30s";

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
    const rate = (metric: string, extra = "") =>
        pulumi.interpolate`rate(${metric}{${pods}${extra}}[${WINDOW}])`;
    return [
        {
            name: "error-ratio",
            limit: s.maxErrorRatio,
            // No 5xx series yet is 0; no traffic at all (0/0) is NaN: nothing to judge, so no failure.
            query: pulumi.interpolate`((sum(${rate("http_requests_total", ',status=~"5.."')}) or vector(0)) / sum(${rate("http_requests_total")})) or vector(0)`,
        },
        {
            name: "p99-latency",
            limit: s.maxP99Ms / 1000,
            query: pulumi.interpolate`histogram_quantile(0.99, sum by (le) (${rate("http_request_duration_seconds_bucket")})) or vector(0)`,
        },
    ];
}

/**
 * The AnalysisTemplate's spec: each metric measured every 10 s once the canary has had 10 s of
 * traffic, and failed at its first measurement above its limit (failureLimit 0). Argo Rollouts:
 * docs/analysis/prometheus.md, docs/features/analysis.md.
 */
export function analysisSpec(namespace: pulumi.Input<string>, s: AnalysisLimits) {
    return {
        args: [{ name: ANALYSIS_ARG }],
        metrics: canaryMetrics(namespace, s).map((m) => ({
            name: m.name,
            interval: "10s",
            initialDelay: "10s",
            failureLimit: 0,
            successCondition: `isNaN(result[0]) || result[0] <= ${m.limit}`,
            provider: { prometheus: { address: s.prometheusUrl, query: m.query } },
        })),
    };
}
