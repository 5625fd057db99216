import type { CanarySettings } from "../../components/app/canary";
import { Reader, complete, parseJson } from "../reader";

// The canary section: whether each release goes out as a canary (Argo Rollouts), its steps, how long
// each bakes, the thresholds its analysis holds it to, and the Prometheus it reads them from.

const RATIO = /^(0(\.\d{1,4})?|1(\.0{1,4})?)$/;
const URL = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?(\/[\w./-]*)?$/;

/** The canary's settings when `canary` is true; null when false; undefined once a problem is recorded. */
export function canary(r: Reader): CanarySettings | null | undefined {
    const enabled = r.boolean("canary");
    const steps = r.check("canarySteps", r.string("canarySteps"), stepsProblem);
    const bakeSeconds = r.integer("canaryBakeSeconds", 20, 3600);
    const maxErrorRatio = r.string("canaryMaxErrorRatio", RATIO, "a ratio from 0 to 1 such as 0.01 (1%)");
    const maxP99Ms = r.integer("canaryMaxP99Ms", 10, 60000);
    const prometheusUrl = r.string(
        "canaryPrometheusUrl",
        URL,
        "an http(s) URL such as http://prometheus.kube-system.svc:9090",
    );
    const settings = complete({
        // Stryker disable next-line ConditionalExpression: parseJson gives undefined for undefined too
        steps: steps === undefined ? undefined : (parseJson(steps) as number[]),
        bakeSeconds,
        maxErrorRatio: maxErrorRatio === undefined ? undefined : Number(maxErrorRatio),
        maxP99Ms,
        prometheusUrl,
    });
    if (enabled === undefined || settings === undefined) return undefined;
    return enabled ? settings : null;
}

/** canarySteps: the canary's share of the pods at each step, in percent, rising, each below 100. */
function stepsProblem(raw: string): string | undefined {
    const steps = parseJson(raw);
    const valid =
        Array.isArray(steps) &&
        steps.length > 0 &&
        steps.every((s, i) => Number.isInteger(s) && s >= 1 && s <= 99 && (i === 0 || s > steps[i - 1]));
    return valid ? undefined : "a rising list of 1 to 99 (percent of the pods), such as [10, 50]";
}
