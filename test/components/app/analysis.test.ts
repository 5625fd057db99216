import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { P, inputs, okRun, one } from "../../helpers";

// components/app/analysis.ts: what a canary is judged by.

const TEMPLATE = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";
const LIMITS = {
    [`${P}:canary`]: "true",
    [`${P}:canaryMaxErrorRatio`]: "0.02",
    [`${P}:canaryMaxP99Ms`]: "300",
};

describe("a canary's analysis", () => {
    it("judges the error ratio and the p99 of the release's pods, in their namespace, against the config's limits", async () => {
        const template = inputs(one(await okRun("local", { overrides: LIMITS }), TEMPLATE));
        assert.deepEqual(template.spec.args, [{ name: "canary-hash" }]);
        const byName = Object.fromEntries(template.spec.metrics.map((m: { name: string }) => [m.name, m]));
        assert.deepEqual(Object.keys(byName), ["error-ratio", "p99-latency"]);
        assert.equal(byName["error-ratio"].successCondition, "isNaN(result[0]) || result[0] <= 0.02");
        assert.equal(byName["p99-latency"].successCondition, "isNaN(result[0]) || result[0] <= 0.3");
        const pods = 'namespace="flask-app",rollouts_pod_template_hash="{{args.canary-hash}}"';
        const errors = byName["error-ratio"].provider.prometheus;
        assert.equal(errors.address, "http://prometheus.kube-system.svc:9090");
        assert.equal(
            errors.query,
            `((sum(http_requests_total{${pods},status=~"5.."}) or vector(0)) / sum(http_requests_total{${pods}})) or vector(0)`,
        );
        assert.equal(
            byName["p99-latency"].provider.prometheus.query,
            `histogram_quantile(0.99, sum by (le) (http_request_duration_seconds_bucket{${pods}})) or vector(0)`,
        );
        for (const m of template.spec.metrics)
            assert.deepEqual([m.interval, m.initialDelay, m.failureLimit], ["10s", "10s", 0], m.name);
    });

    it("measures every 10 s, a quarter of a short bake, never under 5 s", async () => {
        const every = async (bake: string) =>
            inputs(
                one(
                    await okRun("local", { overrides: { ...LIMITS, [`${P}:canaryBakeSeconds`]: bake } }),
                    TEMPLATE,
                ),
            ).spec.metrics.map((m: { interval: string; initialDelay: string }) => [
                m.interval,
                m.initialDelay,
            ]);
        assert.deepEqual(await every("60"), [
            ["10s", "10s"],
            ["10s", "10s"],
        ]);
        assert.deepEqual(await every("32"), [
            ["8s", "8s"],
            ["8s", "8s"],
        ]);
        assert.deepEqual(await every("20"), [
            ["5s", "5s"],
            ["5s", "5s"],
        ]);
    });

    it("reads the Prometheus the config names", async () => {
        const url = "https://prometheus.example.internal:9443/prom";
        const template = inputs(
            one(
                await okRun("local", { overrides: { ...LIMITS, [`${P}:canaryPrometheusUrl`]: url } }),
                TEMPLATE,
            ),
        );
        for (const m of template.spec.metrics) assert.equal(m.provider.prometheus.address, url, m.name);
    });
});
